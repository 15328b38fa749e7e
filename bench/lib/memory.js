// Memory of one process, in kB, from /proc/PID/smaps_rollup: RSS, and PSS
// (shared pages divided among their users: what adding a process costs).
'use strict';
const fs = require('node:fs');

function memOf(pid) {
  let text;
  try {
    text = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  } catch {
    return { rss: 0, pss: 0 };
  }
  const field = (name) => Number((new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text) ?? [])[1] ?? 0);
  return { rss: field('Rss'), pss: field('Pss') };
}

module.exports = { memOf };
