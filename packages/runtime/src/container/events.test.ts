import { eventJson } from './events';

describe('hull events', () => {
  it('prints counters past 2^53 exactly, as Go does', () => {
    expect(eventJson({ limit: 9223372036854771712, max: 18446744073709551615, n: 1.5, s: 'x' }))
      .toBe('{"limit":9223372036854771712,"max":18446744073709551615,"n":1.5,"s":"x"}');
  });
});
