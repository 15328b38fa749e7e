// Every case, in the order the table prints them.
import type { Case } from '../case';
import { badConfigCases } from './badconfigs';
import { configCases } from './config';
import { hookCases } from './hooks';
import { lifecycleCases } from './lifecycle';
import { linuxCases } from './linux';
import { operationCases } from './operations';
import { runcCases } from './runc';

export function allCases(): Case[] {
  return [...lifecycleCases, ...operationCases, ...runcCases, ...hookCases, ...configCases, ...linuxCases, ...badConfigCases];
}
