// seccomp: compile config.json's linux.seccomp early, load it last, hand a
// notify fd to its agent.
export { compileSeccomp, supportedSeccompFlags, supportedArchitectures, SeccompFilter, ARCHITECTURES, SECCOMP_ACTIONS, SECCOMP_OPERATORS, SECCOMP_FLAGS } from './compile';
export type { SeccompOptions } from './compile';
export { sendNotifyFd, connectNotifyAgent, sendNotifyFdOn, containerProcessState, SECCOMP_FD_NAME } from './notify';
export type { NotifyState, ContainerProcessState } from './notify';
export type { LinuxSeccomp, LinuxSyscall, LinuxSeccompArg } from './types';
