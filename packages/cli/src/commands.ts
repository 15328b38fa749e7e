// Every hullctl command: its usage line, its flags (docker's names) and the
// module that runs it, loaded only when that command runs.
import type { Argv, Options } from 'yargs';

export interface CommandDef {
  /** yargs command string, e.g. "stop <containers..>". */
  command: string;
  /** docker-style usage shown with errors. */
  usage: string;
  describe: string;
  options?: Record<string, Options>;
  /** Loads the module exporting `handler` (a context.Handler): a literal require, so a bundler follows it. */
  load: () => unknown;
  /** How many positionals precede the container's command (run: 0, exec: 1); the rest is not parsed. */
  commandPositionals?: number;
  /** `volume ls`, `network create`...: the parent has no module of its own. */
  subcommands?: CommandDef[];
}

const str = (alias: string | undefined, describe: string, extra: Options = {}): Options => ({ type: 'string', alias, describe, requiresArg: true, ...extra });
const bool = (alias: string | undefined, describe: string): Options => ({ type: 'boolean', alias, describe });
const list = (alias: string | undefined, describe: string): Options => ({ type: 'string', alias, describe, requiresArg: true });

const RESOURCE_OPTIONS: Record<string, Options> = {
  memory: str('m', 'Memory limit (e.g. 64m, 1g)'),
  'memory-swap': str(undefined, "Swap limit equal to memory plus swap: '-1' to enable unlimited swap"),
  cpus: str(undefined, 'Number of CPUs (e.g. 0.5)'),
  'cpu-shares': str('c', 'CPU shares (relative weight)'),
  'pids-limit': str(undefined, 'Tune container pids limit (set -1 for unlimited)'),
};

const CREATE_OPTIONS: Record<string, Options> = {
  name: str(undefined, 'Assign a name to the container'),
  interactive: bool('i', 'Keep STDIN open even if not attached'),
  tty: bool('t', 'Allocate a pseudo-TTY'),
  rm: bool(undefined, 'Automatically remove the container when it exits'),
  env: list('e', 'Set environment variables (KEY=VALUE or KEY)'),
  'env-file': list(undefined, 'Read in a file of environment variables'),
  workdir: str('w', 'Working directory inside the container'),
  user: str('u', 'Username or UID (format: <name|uid>[:<group|gid>])'),
  volume: list('v', 'Bind mount a volume (HOST:CONTAINER[:ro]), a named volume (NAME:CONTAINER[:ro]) or an anonymous one (CONTAINER)'),
  mount: list(undefined, 'Attach a filesystem mount to the container (type=volume|bind|tmpfs,source=…,target=…[,readonly])'),
  publish: list('p', "Publish a container's port(s) to the host ([IP:][HOSTPORT:]CTRPORT[/PROTO])"),
  'publish-all': bool('P', 'Publish all exposed ports to random ports'),
  'network-alias': list(undefined, 'Add network-scoped alias for the container'),
  ip: str(undefined, 'IPv4 address (e.g., 172.30.100.104)'),
  tmpfs: list(undefined, 'Mount a tmpfs directory (PATH[:OPTIONS])'),
  hostname: str('h', 'Container host name'),
  'read-only': bool(undefined, "Mount the container's root filesystem as read only"),
  ...RESOURCE_OPTIONS,
  'cap-add': list(undefined, 'Add Linux capabilities'),
  'cap-drop': list(undefined, 'Drop Linux capabilities'),
  privileged: bool(undefined, 'Give extended privileges to this container'),
  network: str(undefined, "Connect a container to a network: none (hullctl's default), host, bridge, a network's name, container:NAME", { default: 'none', alias: 'net' }),
  entrypoint: str(undefined, 'Overwrite the default command', { requiresArg: false }),
  rootfs: str(undefined, 'Use this directory as the root filesystem (instead of an IMAGE)'),
  bundle: str(undefined, "Start from this OCI bundle's config.json (instead of an IMAGE)"),
  pull: str(undefined, 'Pull image before running ("always", "missing", "never")', { default: 'missing' }),
  platform: str(undefined, 'Set platform if server is multi-platform capable'),
};

const IMAGE_LIST_OPTIONS: Record<string, Options> = {
  all: bool('a', 'Show all images (default hides intermediate images)'),
  quiet: bool('q', 'Only show image IDs'),
  digests: bool(undefined, 'Show digests'),
  'no-trunc': bool(undefined, "Don't truncate output"),
  filter: list('f', 'Filter output based on conditions provided (dangling=true, reference=PATTERN)'),
  format: str(undefined, 'Format output using a custom template: "table", "table TEMPLATE" or a Go-style template ({{.Repository}})'),
};
const PULL_OPTIONS: Record<string, Options> = {
  platform: str(undefined, 'Set platform if server is multi-platform capable (os/arch[/variant])'),
  quiet: bool('q', 'Suppress verbose output'),
  'all-tags': bool('a', 'Download all tagged images in the repository'),
};
const SAVE_OPTIONS: Record<string, Options> = {
  output: str('o', 'Write to a file, instead of STDOUT'),
  format: str(undefined, 'docker-archive (default) or oci-archive'),
};

const DETACH_KEYS: Options = str(undefined, 'Override the key sequence for detaching a container (default "ctrl-p,ctrl-q")');

export const COMMANDS: CommandDef[] = [
  {
    command: 'run [command..]',
    usage: 'hullctl run [OPTIONS] IMAGE [COMMAND] [ARG...]  (or --rootfs DIR | --bundle DIR instead of IMAGE)',
    describe: 'Create and run a new container',
    options: { detach: bool('d', 'Run container in background and print container ID'), ...CREATE_OPTIONS, 'detach-keys': DETACH_KEYS },
    load: () => require('./commands/run'),
    commandPositionals: 0,
  },
  {
    command: 'create [command..]',
    usage: 'hullctl create [OPTIONS] IMAGE [COMMAND] [ARG...]  (or --rootfs DIR | --bundle DIR instead of IMAGE)',
    describe: 'Create a new container',
    options: CREATE_OPTIONS,
    load: () => require('./commands/create'),
    commandPositionals: 0,
  },
  {
    command: 'start <containers..>',
    usage: 'hullctl start [OPTIONS] CONTAINER [CONTAINER...]',
    describe: 'Start one or more stopped containers',
    options: { attach: bool('a', "Attach STDOUT/STDERR and forward signals"), interactive: bool('i', "Attach container's STDIN"), 'detach-keys': DETACH_KEYS },
    load: () => require('./commands/start'),
  },
  {
    command: 'ps',
    usage: 'hullctl ps [OPTIONS]',
    describe: 'List containers',
    options: {
      all: bool('a', 'Show all containers (default shows just running)'),
      quiet: bool('q', 'Only display container IDs'),
      format: str(undefined, 'Format output: table or json'),
      'no-trunc': bool(undefined, "Don't truncate output"),
    },
    load: () => require('./commands/ps'),
  },
  {
    command: 'exec <container> [command..]',
    usage: 'hullctl exec [OPTIONS] CONTAINER COMMAND [ARG...]',
    describe: 'Execute a command in a running container',
    options: {
      detach: bool('d', 'Detached mode: run command in the background'),
      interactive: bool('i', 'Keep STDIN open even if not attached'),
      tty: bool('t', 'Allocate a pseudo-TTY'),
      env: list('e', 'Set environment variables'),
      'env-file': list(undefined, 'Read in a file of environment variables'),
      workdir: str('w', 'Working directory inside the container'),
      user: str('u', 'Username or UID (format: <name|uid>[:<group|gid>])'),
      privileged: bool(undefined, 'Give extended privileges to the command'),
      'detach-keys': DETACH_KEYS,
    },
    load: () => require('./commands/exec'),
    commandPositionals: 1,
  },
  {
    command: 'logs <container>',
    usage: 'hullctl logs [OPTIONS] CONTAINER',
    describe: 'Fetch the logs of a container',
    options: {
      follow: bool('f', 'Follow log output'),
      tail: str('n', 'Number of lines to show from the end of the logs (default "all")'),
      timestamps: bool('t', 'Show timestamps'),
    },
    load: () => require('./commands/logs'),
  },
  {
    command: 'attach <container>',
    usage: 'hullctl attach [OPTIONS] CONTAINER',
    describe: "Attach local standard input, output, and error streams to a running container",
    options: { 'no-stdin': bool(undefined, 'Do not attach STDIN'), 'detach-keys': DETACH_KEYS },
    load: () => require('./commands/attach'),
  },
  {
    command: 'stop <containers..>',
    usage: 'hullctl stop [OPTIONS] CONTAINER [CONTAINER...]',
    describe: 'Stop one or more running containers',
    options: { time: str('t', 'Seconds to wait before killing the container (default 10)'), signal: str('s', 'Signal to send to the container (default SIGTERM)') },
    load: () => require('./commands/stop'),
  },
  {
    command: 'restart <containers..>',
    usage: 'hullctl restart [OPTIONS] CONTAINER [CONTAINER...]',
    describe: 'Restart one or more containers',
    options: { time: str('t', 'Seconds to wait before killing the container (default 10)'), signal: str('s', 'Signal to send to the container (default SIGTERM)') },
    load: () => require('./commands/restart'),
  },
  {
    command: 'kill <containers..>',
    usage: 'hullctl kill [OPTIONS] CONTAINER [CONTAINER...]',
    describe: 'Kill one or more running containers',
    options: { signal: str('s', 'Signal to send to the container (default "KILL")') },
    load: () => require('./commands/kill'),
  },
  {
    command: 'rm <containers..>',
    usage: 'hullctl rm [OPTIONS] CONTAINER [CONTAINER...]',
    describe: 'Remove one or more containers',
    options: { force: bool('f', 'Force the removal of a running container (uses SIGKILL)'), volumes: bool('v', 'Remove anonymous volumes associated with the container') },
    load: () => require('./commands/rm'),
  },
  { command: 'pause <containers..>', usage: 'hullctl pause CONTAINER [CONTAINER...]', describe: 'Pause all processes within one or more containers', load: () => require('./commands/pause') },
  { command: 'unpause <containers..>', usage: 'hullctl unpause CONTAINER [CONTAINER...]', describe: 'Unpause all processes within one or more containers', load: () => require('./commands/unpause') },
  { command: 'top <container>', usage: 'hullctl top CONTAINER', describe: 'Display the running processes of a container', load: () => require('./commands/top') },
  {
    command: 'stats [containers..]',
    usage: 'hullctl stats [OPTIONS] [CONTAINER...]',
    describe: 'Display a live stream of container(s) resource usage statistics',
    options: { all: bool('a', 'Show all containers (default shows just running)'), 'no-stream': bool(undefined, 'Disable streaming stats and only pull the first result'), 'no-trunc': bool(undefined, "Don't truncate output") },
    load: () => require('./commands/stats'),
  },
  { command: 'inspect <containers..>', usage: 'hullctl inspect NAME|ID [NAME|ID...]', describe: 'Return low-level information on containers or images', load: () => require('./commands/inspect') },
  { command: 'wait <containers..>', usage: 'hullctl wait CONTAINER [CONTAINER...]', describe: 'Block until one or more containers stop, then print their exit codes', load: () => require('./commands/wait') },
  {
    command: 'events',
    usage: 'hullctl events [OPTIONS]',
    describe: 'Get real time events from the supervisor',
    options: {
      filter: list('f', 'Filter output: container=NAME|ID, event=start|die|..., image=IMAGE, label=KEY[=VALUE], type=container'), format: str(undefined, 'Format output: json'),
      since: str(undefined, 'Show all events created since timestamp (kept across supervisor restarts)'),
      until: str(undefined, 'Stream events until this timestamp'),
    },
    load: () => require('./commands/events'),
  },
  {
    command: 'update <containers..>',
    usage: 'hullctl update [OPTIONS] CONTAINER [CONTAINER...]',
    describe: 'Update configuration of one or more containers',
    options: RESOURCE_OPTIONS,
    load: () => require('./commands/update'),
  },
  {
    command: 'build <path>',
    usage: 'hullctl build [OPTIONS] PATH',
    describe: 'Build an image from a Dockerfile',
    options: {
      tag: list('t', 'Name and optionally a tag in the "name:tag" format'),
      file: str('f', "Name of the Dockerfile (Default is 'PATH/Dockerfile'; - reads stdin)"),
      'build-arg': list(undefined, 'Set build-time variables'),
      target: str(undefined, 'Set the target build stage to build'),
      'no-cache': bool(undefined, 'Do not use cache when building the image'),
      pull: bool(undefined, 'Always attempt to pull a newer version of the image'),
      label: list(undefined, 'Set metadata for an image'),
      quiet: bool('q', 'Suppress the build output and print image ID on success'),
      network: str(undefined, 'Set the networking mode for the RUN instructions during build: none (default) or host', { default: 'none' }),
      progress: str(undefined, 'Set type of progress output (auto, plain, tty, quiet): auto is tty on a terminal, else plain', { default: 'auto' }),
    },
    load: () => require('./commands/build'),
  },
  { command: 'pull <name>', usage: 'hullctl pull [OPTIONS] NAME[:TAG|@DIGEST]', describe: 'Download an image from a registry', options: PULL_OPTIONS, load: () => require('./commands/pull') },
  { command: 'push <name>', usage: 'hullctl push [OPTIONS] NAME[:TAG]', describe: 'Upload an image to a registry', options: { quiet: bool('q', 'Suppress verbose output') }, load: () => require('./commands/push') },
  { command: 'images [repository]', usage: 'hullctl images [OPTIONS] [REPOSITORY[:TAG]]', describe: 'List images', options: IMAGE_LIST_OPTIONS, load: () => require('./commands/images') },
  { command: 'rmi <images..>', usage: 'hullctl rmi [OPTIONS] IMAGE [IMAGE...]', describe: 'Remove one or more images', options: { force: bool('f', 'Force removal of the image') }, load: () => require('./commands/rmi') },
  { command: 'tag <source> <target>', usage: 'hullctl tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]', describe: 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE', load: () => require('./commands/tag') },
  {
    command: 'history <image>',
    usage: 'hullctl history [OPTIONS] IMAGE',
    describe: 'Show the history of an image',
    options: { quiet: bool('q', 'Only show image IDs'), 'no-trunc': bool(undefined, "Don't truncate output"), human: { type: 'boolean', alias: 'H', default: true, describe: 'Print sizes and dates in human readable format' } },
    load: () => require('./commands/history'),
  },
  { command: 'save <images..>', usage: 'hullctl save [OPTIONS] IMAGE [IMAGE...]', describe: 'Save one or more images to a tar archive (streamed to STDOUT by default)', options: SAVE_OPTIONS, load: () => require('./commands/save') },
  { command: 'load', usage: 'hullctl load [OPTIONS]', describe: 'Load an image from a tar archive or STDIN', options: { input: str('i', 'Read from tar archive file, instead of STDIN'), quiet: bool('q', 'Suppress the load output') }, load: () => require('./commands/load') },
  {
    command: 'import <file> [repository]',
    usage: 'hullctl import [OPTIONS] file|URL|- [REPOSITORY[:TAG]]',
    describe: 'Import the contents from a tarball to create a filesystem image',
    options: {
      change: list('c', 'Apply Dockerfile instruction to the created image'),
      message: str('m', 'Set commit message for imported image'),
      platform: str(undefined, 'Set platform if server is multi-platform capable (os/arch[/variant])'),
    },
    load: () => require('./commands/import'),
  },
  { command: 'export <container>', usage: 'hullctl export [OPTIONS] CONTAINER', describe: "Export a container's filesystem as a tar archive", options: { output: str('o', 'Write to a file, instead of STDOUT') }, load: () => require('./commands/export') },
  {
    command: 'commit <container> [repository]',
    usage: 'hullctl commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]]',
    describe: "Create a new image from a container's changes",
    options: {
      message: str('m', 'Commit message'),
      author: str('a', 'Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")'),
      change: list('c', 'Apply Dockerfile instruction to the created image'),
      pause: { type: 'boolean', alias: 'p', default: true, describe: 'Pause container during commit' },
    },
    load: () => require('./commands/commit'),
  },
  { command: 'diff <container>', usage: 'hullctl diff CONTAINER', describe: "Inspect changes to files or directories on a container's filesystem", load: () => require('./commands/diff') },
  {
    command: 'login [server]',
    usage: 'hullctl login [OPTIONS] [SERVER]',
    describe: 'Log in to a registry',
    options: { username: str('u', 'Username'), password: str('p', 'Password'), 'password-stdin': bool(undefined, 'Take the password from stdin') },
    load: () => require('./commands/login'),
  },
  { command: 'logout [server]', usage: 'hullctl logout [SERVER]', describe: 'Log out from a registry', load: () => require('./commands/logout') },
  {
    command: 'image <verb> [args..]',
    usage: 'hullctl image COMMAND',
    describe: 'Manage images: ls, rm, inspect, pull, push, tag, history, prune, save, load',
    options: {
      ...IMAGE_LIST_OPTIONS, ...SAVE_OPTIONS,
      // -f is prune's --force here (docker's image prune -f); ls takes --filter.
      filter: list(undefined, 'Filter output based on conditions provided (dangling=true, reference=PATTERN)'),
      format: str(undefined, 'Format the output (ls: a template; inspect: a template; save: docker-archive or oci-archive)'),
      force: bool('f', 'Do not prompt (prune) / force removal (rm)'),
      platform: str(undefined, 'Set platform if server is multi-platform capable'),
      input: str('i', 'Read from tar archive file, instead of STDIN'),
    },
    load: () => require('./commands/image'),
  },
  {
    command: 'container <verb>',
    usage: 'hullctl container ls [OPTIONS]',
    describe: 'Manage containers: ls (an alias of ps)',
    options: {
      all: bool('a', 'Show all containers (default shows just running)'),
      quiet: bool('q', 'Only display container IDs'),
      format: str(undefined, 'Format output: table or json'),
      'no-trunc': bool(undefined, "Don't truncate output"),
    },
    load: () => require('./commands/container'),
  },
  { command: 'system <verb> [args..]', usage: 'hullctl system df', describe: 'Manage the supervisor: df shows disk usage', load: () => require('./commands/system') },
  { command: 'port <container> [port]', usage: 'hullctl port CONTAINER [PRIVATE_PORT[/PROTO]]', describe: 'List port mappings or a specific mapping for the container', load: () => require('./commands/port') },
  {
    command: 'volume',
    usage: 'hullctl volume COMMAND',
    describe: 'Manage volumes',
    load: () => require('./commands/volume'),
    subcommands: [
      { command: 'create [name]', usage: 'hullctl volume create [OPTIONS] [VOLUME]', describe: 'Create a volume', options: { label: list(undefined, 'Set metadata for a volume (KEY=VALUE)') }, load: () => require('./commands/volume') },
      {
        command: 'ls', usage: 'hullctl volume ls [OPTIONS]', describe: 'List volumes', load: () => require('./commands/volume'),
        options: { quiet: bool('q', 'Only display volume names'), filter: list('f', "Provide filter values (e.g. 'dangling=true')"), format: str(undefined, 'Format output: table or json') },
      },
      { command: 'inspect <names..>', usage: 'hullctl volume inspect VOLUME [VOLUME...]', describe: 'Display detailed information on one or more volumes', load: () => require('./commands/volume') },
      { command: 'rm <names..>', usage: 'hullctl volume rm [OPTIONS] VOLUME [VOLUME...]', describe: 'Remove one or more volumes', options: { force: bool('f', 'Do not fail when a volume does not exist') }, load: () => require('./commands/volume') },
      { command: 'prune', usage: 'hullctl volume prune [OPTIONS]', describe: 'Remove unused local volumes', options: { all: bool('a', 'Remove all unused volumes, not just anonymous ones'), force: bool('f', 'Do not prompt for confirmation') }, load: () => require('./commands/volume') },
    ],
  },
  {
    command: 'network',
    usage: 'hullctl network COMMAND',
    describe: 'Manage networks',
    load: () => require('./commands/network'),
    subcommands: [
      {
        command: 'create <name>', usage: 'hullctl network create [OPTIONS] NETWORK', describe: 'Create a network', load: () => require('./commands/network'),
        options: { subnet: str(undefined, 'Subnet in CIDR format that represents a network segment'), gateway: str(undefined, 'IPv4 Gateway for the master subnet'), label: list(undefined, 'Set metadata on a network'), driver: str('d', 'Driver to manage the Network (bridge only)') },
      },
      { command: 'ls', usage: 'hullctl network ls [OPTIONS]', describe: 'List networks', options: { quiet: bool('q', 'Only display network IDs'), 'no-trunc': bool(undefined, "Don't truncate the output") }, load: () => require('./commands/network') },
      { command: 'inspect <names..>', usage: 'hullctl network inspect NETWORK [NETWORK...]', describe: 'Display detailed information on one or more networks', load: () => require('./commands/network') },
      { command: 'rm <names..>', usage: 'hullctl network rm NETWORK [NETWORK...]', describe: 'Remove one or more networks', load: () => require('./commands/network') },
      { command: 'prune', usage: 'hullctl network prune [OPTIONS]', describe: 'Remove all unused networks', options: { force: bool('f', 'Do not prompt for confirmation') }, load: () => require('./commands/network') },
      {
        command: 'connect <network> <container>', usage: 'hullctl network connect [OPTIONS] NETWORK CONTAINER', describe: 'Connect a container to a network', load: () => require('./commands/network'),
        options: { alias: list(undefined, 'Add network-scoped alias for the container'), ip: str(undefined, 'IPv4 address (e.g., 172.30.100.104)') },
      },
      { command: 'disconnect <network> <container>', usage: 'hullctl network disconnect [OPTIONS] NETWORK CONTAINER', describe: 'Disconnect a container from a network', options: { force: bool('f', 'Force the container to disconnect from a network') }, load: () => require('./commands/network') },
    ],
  },
  { command: 'version', usage: 'hullctl version', describe: 'Show the hullctl and supervisor version information', load: () => require('./commands/version') },
  { command: 'info', usage: 'hullctl info', describe: 'Display system-wide information', load: () => require('./commands/info') },
];

export function commandName(def: CommandDef): string {
  return def.command.split(' ')[0]!;
}

export function applyOptions(y: Argv, def: CommandDef): Argv {
  y.usage(`Usage:  ${def.usage}\n\n${def.describe}`);
  if (def.options) y.options(def.options);
  return y;
}
