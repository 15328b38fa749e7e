import { namedAfter } from './leftovers';

describe('namedAfter', () => {
  it.each([
    ['ht-1-x-1', 'ht-1-x-1', true],
    ['hull-ht-1-x-1.scope', 'ht-1-x-1', true],
    ['ht-1-x-10', 'ht-1-x-1', false],
    ['ht-1-x-10.scope ht-1-x-1', 'ht-1-x-1', true],
    ['other', 'ht-1-x-1', false],
  ])('%s is named after %s: %s', (name, id, want) => {
    expect(namedAfter(name, id)).toBe(want);
  });
});
