// Prints what CI reads at the end of a jest run: one "SKIP <file> › <test>: <reason>" line per skipped
// test (or skipped block), then the closing line "N passed, N failed[, N skipped]".
// A test skipped for a host feature carries its reason in its title as " [skipped: …]"
// (packages/testkit/src/jest.ts); a skip without one is listed as such, so none goes unexplained.
const path = require('node:path');

const MARK = / \[skipped: (.*)\]$/;

class SummaryReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
    // Under -t, the tests the pattern leaves out are "skipped" too: only the marked ones are listed then.
    this.filtered = !!globalConfig.testNamePattern;
  }

  onRunComplete(_contexts, results) {
    const lines = [];
    for (const file of results.testResults) {
      const rel = path.relative(this.rootDir, file.testFilePath);
      // Tests under one skipped block share one line: "block (N tests)".
      const groups = new Map();
      for (const t of file.testResults) {
        if (t.status !== 'pending' && t.status !== 'skipped') continue;
        const titles = [...t.ancestorTitles, t.title];
        const at = titles.findIndex((s) => MARK.test(s));
        if (at < 0 && this.filtered) continue;
        const reason = at >= 0 ? MARK.exec(titles[at])[1] : 'no reason given';
        const name = (at >= 0 ? titles.slice(0, at + 1) : titles).map((s) => s.replace(MARK, '')).join(' › ');
        const key = `${name}\0${reason}`;
        groups.set(key, { name, reason, count: (groups.get(key)?.count ?? 0) + 1, block: at >= 0 && at < titles.length - 1 });
      }
      for (const g of groups.values()) lines.push(`SKIP ${rel} › ${g.name}${g.block ? ` (${g.count} tests)` : ''}: ${g.reason}`);
    }
    const skipped = results.numPendingTests + results.numTodoTests;
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    if (lines.length) process.stdout.write(`\nSkipped, with what this host lacks:\n${lines.join('\n')}\n`);
    process.stdout.write(`\n${results.numPassedTests} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
  }
}
module.exports = SummaryReporter;
