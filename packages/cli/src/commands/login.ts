// hullctl login [-u USER] [-p PASS | --password-stdin] [SERVER]: checked
// against the registry (through the supervisor), then kept in config.json.
import readline from 'node:readline/promises';
import type { Context } from '../context';
import { CliError, FlagError } from '../errors';
import { configFile, saveAuth } from '../images/auth';

async function readStdin(): Promise<string> {
  let s = '';
  for await (const c of process.stdin) s += (c as Buffer).toString();
  return s.replace(/\r?\n$/, '');
}

export async function handler(ctx: Context, argv: Record<string, unknown>): Promise<number> {
  const server = argv.server === undefined ? 'docker.io' : String(argv.server).replace(/^https?:\/\//, '').replace(/\/.*$/, '');
  let username = argv.username as string | undefined;
  let password = argv.password as string | undefined;
  if (argv.passwordStdin) {
    if (password !== undefined) throw new FlagError('--password and --password-stdin are mutually exclusive');
    if (username === undefined) throw new FlagError('Must provide --username with --password-stdin');
    password = await readStdin();
  }
  if (password !== undefined && !argv.passwordStdin) process.stderr.write('WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n');
  if (username === undefined || password === undefined) {
    if (!process.stdin.isTTY) throw new CliError('Cannot perform an interactive login from a non TTY device', 1, 'ETTY');
    const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
    if (username === undefined) username = await rl.question('Username: ');
    if (password === undefined) password = await rl.question('Password: ');
    rl.close();
  }
  if (!username || !password) throw new CliError('Error: Username and password are required', 1, 'EINVAL');
  const { status } = await ctx.client().image<{ status: string }>('Login', { registry: server, auth: { username, password } });
  saveAuth(server, { username, password });
  process.stderr.write(`WARNING! Your password will be stored unencrypted in ${configFile()}.\n\n`);
  process.stdout.write(`${status}\n`);
  return 0;
}
