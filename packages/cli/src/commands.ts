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
  /** require() path of a module exporting `handler` (a context.Handler). */
  module: string;
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
  rootfs: str(undefined, 'Use this directory as the root filesystem'),
  bundle: str(undefined, "Start from this OCI bundle's config.json"),
};

const DETACH_KEYS: Options = str(undefined, 'Override the key sequence for detaching a container (default "ctrl-p,ctrl-q")');

export const COMMANDS: CommandDef[] = [
  {
    command: 'run [command..]',
    usage: 'hullctl run [OPTIONS] (--rootfs DIR | --bundle DIR) [--] [COMMAND] [ARG...]',
    describe: 'Create and run a new container',
    options: { detach: bool('d', 'Run container in background and print container ID'), ...CREATE_OPTIONS, 'detach-keys': DETACH_KEYS },
    module: './commands/run',
    commandPositionals: 0,
  },
  {
    command: 'create [command..]',
    usage: 'hullctl create [OPTIONS] (--rootfs DIR | --bundle DIR) [--] [COMMAND] [ARG...]',
    describe: 'Create a new container',
    options: CREATE_OPTIONS,
    module: './commands/create',
    commandPositionals: 0,
  },
  {
    command: 'start <containers..>',
    usage: 'hullctl start [OPTIONS] CONTAINER [CONTAINER...]',
    describe: 'Start one or more stopped containers',
    options: { attach: bool('a', "Attach STDOUT/STDERR and forward signals"), interactive: bool('i', "Attach container's STDIN"), 'detach-keys': DETACH_KEYS },
    module: './commands/start',
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
    module: './commands/ps',
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
    module: './commands/exec',
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
    module: './commands/logs',
  },
  {
    command: 'attach <container>',
    usage: 'hullctl attach [OPTIONS] CONTAINER',
    describe: "Attach local standard input, output, and error streams to a running container",
    options: { 'no-stdin': bool(undefined, 'Do not attach STDIN'), 'detach-keys': DETACH_KEYS },
    module: './commands/attach',
  },
  {
    command: 'stop <containers..>',
    usage: 'hullctl stop [OPTIONS] CONTAINER [CONTAINER...]',
    describe: 'Stop one or more running containers',
    options: { time: str('t', 'Seconds to wait before killing the container (default 10)'), signal: str('s', 'Signal to send to the container (default SIGTERM)') },
    module: './commands/stop',
  },
  {
    command: 'restart <containers..>',
    usage: 'hullctl restart [OPTIONS] CONTAINER [CONTAINER...]',
    describe: 'Restart one or more containers',
    options: { time: str('t', 'Seconds to wait before killing the container (default 10)'), signal: str('s', 'Signal to send to the container (default SIGTERM)') },
    module: './commands/restart',
  },
  {
    command: 'kill <containers..>',
    usage: 'hullctl kill [OPTIONS] CONTAINER [CONTAINER...]',
    describe: 'Kill one or more running containers',
    options: { signal: str('s', 'Signal to send to the container (default "KILL")') },
    module: './commands/kill',
  },
  {
    command: 'rm <containers..>',
    usage: 'hullctl rm [OPTIONS] CONTAINER [CONTAINER...]',
    describe: 'Remove one or more containers',
    options: { force: bool('f', 'Force the removal of a running container (uses SIGKILL)'), volumes: bool('v', 'Remove anonymous volumes associated with the container') },
    module: './commands/rm',
  },
  { command: 'pause <containers..>', usage: 'hullctl pause CONTAINER [CONTAINER...]', describe: 'Pause all processes within one or more containers', module: './commands/pause' },
  { command: 'unpause <containers..>', usage: 'hullctl unpause CONTAINER [CONTAINER...]', describe: 'Unpause all processes within one or more containers', module: './commands/unpause' },
  { command: 'top <container>', usage: 'hullctl top CONTAINER', describe: 'Display the running processes of a container', module: './commands/top' },
  {
    command: 'stats [containers..]',
    usage: 'hullctl stats [OPTIONS] [CONTAINER...]',
    describe: 'Display a live stream of container(s) resource usage statistics',
    options: { all: bool('a', 'Show all containers (default shows just running)'), 'no-stream': bool(undefined, 'Disable streaming stats and only pull the first result'), 'no-trunc': bool(undefined, "Don't truncate output") },
    module: './commands/stats',
  },
  { command: 'inspect <containers..>', usage: 'hullctl inspect CONTAINER [CONTAINER...]', describe: 'Return low-level information on containers', module: './commands/inspect' },
  { command: 'wait <containers..>', usage: 'hullctl wait CONTAINER [CONTAINER...]', describe: 'Block until one or more containers stop, then print their exit codes', module: './commands/wait' },
  {
    command: 'events',
    usage: 'hullctl events [OPTIONS]',
    describe: 'Get real time events from the supervisor',
    options: { filter: list('f', 'Filter output: container=NAME, event=start|die|...'), format: str(undefined, 'Format output: json') },
    module: './commands/events',
  },
  {
    command: 'update <containers..>',
    usage: 'hullctl update [OPTIONS] CONTAINER [CONTAINER...]',
    describe: 'Update configuration of one or more containers',
    options: RESOURCE_OPTIONS,
    module: './commands/update',
  },
  { command: 'port <container> [port]', usage: 'hullctl port CONTAINER [PRIVATE_PORT[/PROTO]]', describe: 'List port mappings or a specific mapping for the container', module: './commands/port' },
  {
    command: 'volume',
    usage: 'hullctl volume COMMAND',
    describe: 'Manage volumes',
    module: './commands/volume',
    subcommands: [
      { command: 'create [name]', usage: 'hullctl volume create [OPTIONS] [VOLUME]', describe: 'Create a volume', options: { label: list(undefined, 'Set metadata for a volume (KEY=VALUE)') }, module: './commands/volume' },
      {
        command: 'ls', usage: 'hullctl volume ls [OPTIONS]', describe: 'List volumes', module: './commands/volume',
        options: { quiet: bool('q', 'Only display volume names'), filter: list('f', "Provide filter values (e.g. 'dangling=true')"), format: str(undefined, 'Format output: table or json') },
      },
      { command: 'inspect <names..>', usage: 'hullctl volume inspect VOLUME [VOLUME...]', describe: 'Display detailed information on one or more volumes', module: './commands/volume' },
      { command: 'rm <names..>', usage: 'hullctl volume rm [OPTIONS] VOLUME [VOLUME...]', describe: 'Remove one or more volumes', options: { force: bool('f', 'Do not fail when a volume does not exist') }, module: './commands/volume' },
      { command: 'prune', usage: 'hullctl volume prune [OPTIONS]', describe: 'Remove unused local volumes', options: { all: bool('a', 'Remove all unused volumes, not just anonymous ones'), force: bool('f', 'Do not prompt for confirmation') }, module: './commands/volume' },
    ],
  },
  {
    command: 'network',
    usage: 'hullctl network COMMAND',
    describe: 'Manage networks',
    module: './commands/network',
    subcommands: [
      {
        command: 'create <name>', usage: 'hullctl network create [OPTIONS] NETWORK', describe: 'Create a network', module: './commands/network',
        options: { subnet: str(undefined, 'Subnet in CIDR format that represents a network segment'), gateway: str(undefined, 'IPv4 Gateway for the master subnet'), label: list(undefined, 'Set metadata on a network'), driver: str('d', 'Driver to manage the Network (bridge only)') },
      },
      { command: 'ls', usage: 'hullctl network ls [OPTIONS]', describe: 'List networks', options: { quiet: bool('q', 'Only display network IDs'), 'no-trunc': bool(undefined, "Don't truncate the output") }, module: './commands/network' },
      { command: 'inspect <names..>', usage: 'hullctl network inspect NETWORK [NETWORK...]', describe: 'Display detailed information on one or more networks', module: './commands/network' },
      { command: 'rm <names..>', usage: 'hullctl network rm NETWORK [NETWORK...]', describe: 'Remove one or more networks', module: './commands/network' },
      { command: 'prune', usage: 'hullctl network prune [OPTIONS]', describe: 'Remove all unused networks', options: { force: bool('f', 'Do not prompt for confirmation') }, module: './commands/network' },
      {
        command: 'connect <network> <container>', usage: 'hullctl network connect [OPTIONS] NETWORK CONTAINER', describe: 'Connect a container to a network', module: './commands/network',
        options: { alias: list(undefined, 'Add network-scoped alias for the container'), ip: str(undefined, 'IPv4 address (e.g., 172.30.100.104)') },
      },
      { command: 'disconnect <network> <container>', usage: 'hullctl network disconnect [OPTIONS] NETWORK CONTAINER', describe: 'Disconnect a container from a network', options: { force: bool('f', 'Force the container to disconnect from a network') }, module: './commands/network' },
    ],
  },
  { command: 'version', usage: 'hullctl version', describe: 'Show the hullctl and supervisor version information', module: './commands/version' },
  { command: 'info', usage: 'hullctl info', describe: 'Display system-wide information', module: './commands/info' },
];

export function commandName(def: CommandDef): string {
  return def.command.split(' ')[0]!;
}

export function applyOptions(y: Argv, def: CommandDef): Argv {
  y.usage(`Usage:  ${def.usage}\n\n${def.describe}`);
  if (def.options) y.options(def.options);
  return y;
}
