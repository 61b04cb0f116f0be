/**
 * The order jest runs test files in: those that start a whole stack (the runner's, fuzz,
 * telemetry, end to end) first, then the rest, each group in jest's own order (failed last
 * time first, then slowest last time, else largest). A fresh clone has no timings, and
 * jest's size order would leave a short file that starts a stack for the end, the machine
 * then idle but for it.
 */
const { readFileSync } = require('node:fs');
const Sequencer = require('@jest/test-sequencer').default;

const STARTS_A_STACK = /\b(startStack|useStack|spawnRunner)\(/;

function startsAStack(file) {
  try {
    return STARTS_A_STACK.test(readFileSync(file, 'utf8'));
  } catch {
    return false;
  }
}

class StacksFirst extends Sequencer {
  sort(tests) {
    const sorted = super.sort(tests);
    const first = sorted.filter((test) => startsAStack(test.path));
    return [...first, ...sorted.filter((test) => !first.includes(test))];
  }
}

module.exports = StacksFirst;
