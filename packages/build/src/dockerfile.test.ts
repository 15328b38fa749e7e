import { expandWords, parseDockerfile, parsePairs } from './dockerfile';

describe('parseDockerfile', () => {
  it('joins continuations, drops comments inside them, keeps the first line number', () => {
    const df = parseDockerfile('# syntax=docker/dockerfile:1\n# comment\nFROM busybox AS b\n\nRUN echo a \\\n# inside\n    && echo b\nCMD ["sh", "-c", "x"]\n');
    expect(df.directives).toEqual({ syntax: 'docker/dockerfile:1' });
    expect(df.instructions.map((i) => [i.keyword, i.line, i.args])).toEqual([
      ['FROM', 3, 'busybox AS b'],
      ['RUN', 5, 'echo a     && echo b'],
      ['CMD', 8, '["sh", "-c", "x"]'],
    ]);
    expect(df.instructions[2]!.json).toEqual(['sh', '-c', 'x']);
  });

  it('the escape directive: a backtick continues lines, a backslash is a character', () => {
    const df = parseDockerfile('# escape=`\nFROM x\nCOPY c:\\dir `\n  d\\\n');
    expect(df.escape).toBe('`');
    expect(df.instructions[1]!.args).toBe('c:\\dir   d\\');
  });

  it('flags before arguments; a JSON-looking shell form stays shell; unknown instructions name their line', () => {
    const df = parseDockerfile('FROM x\nCOPY --chown=1:2 --from=b a b\nRUN [not json\n');
    expect(df.instructions[1]!.flags).toEqual({ chown: '1:2', from: 'b' });
    expect(df.instructions[1]!.args).toBe('a b');
    expect(df.instructions[2]!.json).toBeUndefined();
    expect(() => parseDockerfile('FROM x\nFROBNICATE y\n', 'Dfile')).toThrow('Dfile:2: unknown instruction: FROBNICATE');
    expect(() => parseDockerfile('# escape=x\nFROM x\n')).toThrow(/invalid escape token/);
  });
});

describe('expandWords', () => {
  const env = new Map([['A', 'one'], ['B', 'two words'], ['E', '']]);
  it("expands as docker's shell lexer does", () => {
    expect(expandWords('$A ${A}x "${B}" \'$A\' \\$A', env)).toEqual(['one', 'onex', 'two words', '$A', '$A']);
    expect(expandWords('${E:-dflt} ${A:-dflt} ${A:+alt} ${E:+alt}x ${NOPE}', env)).toEqual(['dflt', 'one', 'alt', 'x']);
  });
  it('ENV pairs: quoted values, the legacy form', () => {
    const ins = (args: string) => ({ keyword: 'ENV', args, flags: {}, line: 1, original: '' });
    expect(parsePairs(ins('X=$A Y="a b" Z=c\\ d'), env, '\\')).toEqual([['X', 'one'], ['Y', 'a b'], ['Z', 'c d']]);
    expect(parsePairs(ins('NAME World wide'), env, '\\')).toEqual([['NAME', 'World wide']]);
  });
});
