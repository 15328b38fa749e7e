import { DetachWatcher, parseDetachKeys } from './tty';

describe('detach keys', () => {
  it('parses docker\'s notation', () => {
    expect(parseDetachKeys('ctrl-p,ctrl-q')).toEqual([0x10, 0x11]);
    expect(parseDetachKeys('ctrl-@,a,ctrl-[')).toEqual([0, 0x61, 0x1b]);
    expect(() => parseDetachKeys('ctrl-1')).toThrow("Unknown character: 'ctrl-1'");
    expect(() => parseDetachKeys('shift-a')).toThrow("Unknown character: 'shift-a'");
  });

  const feed = (w: DetachWatcher, ...chunks: string[]) => chunks.map((c) => w.feed(Buffer.from(c, 'latin1'))).map((r) => ({ forward: r.forward.toString('latin1'), detach: r.detach }));

  it('detaches on the whole sequence, even split across reads, and forwards nothing of it', () => {
    expect(feed(new DetachWatcher([0x10, 0x11]), 'ls\x10\x11')).toEqual([{ forward: 'ls', detach: true }]);
    expect(feed(new DetachWatcher([0x10, 0x11]), 'a\x10', '\x11')).toEqual([{ forward: 'a', detach: false }, { forward: '', detach: true }]);
  });

  it('passes a broken sequence on, held bytes first', () => {
    expect(feed(new DetachWatcher([0x10, 0x11]), '\x10', 'x')).toEqual([{ forward: '', detach: false }, { forward: '\x10x', detach: false }]);
    expect(feed(new DetachWatcher([0x10, 0x11]), '\x10\x10\x11')).toEqual([{ forward: '\x10', detach: true }]);
    expect(feed(new DetachWatcher([0x10, 0x11]), 'plain text')).toEqual([{ forward: 'plain text', detach: false }]);
  });
});
