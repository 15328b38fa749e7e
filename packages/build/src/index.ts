// @hull/build: `hullctl build` in the supervisor (see README.md).
export { Builder, type BuildRequest, type StepRunner } from './builder';
export { BuildCache } from './cache';
export { parseDockerfile, expandWords, type Dockerfile, type Instruction } from './dockerfile';
export { BuildError, type BuildErrorKind } from './errors';
export { packContext, unpackContext, contextEntries } from './context';
