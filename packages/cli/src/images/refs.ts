// References as @hull/images parses them (docker's rules), checked here before
// anything reaches the supervisor; a bad one is hullctl's own error (125).
import { parseReference, type Reference } from '@hull/images/reference';
import { CliError } from '../errors';

export function parseRef(input: string): Reference {
  try {
    return parseReference(input);
  } catch (e) {
    const err = e as Error & { code?: string };
    throw new CliError(err.message, 125, err.code ?? 'EINVAL', { reference: input }, { cause: e });
  }
}
