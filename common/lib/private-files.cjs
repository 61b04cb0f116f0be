// Keeps a data folder private to its user whatever the umask: folders 0700, files 0600.
// Plain CommonJS with no dependencies, for the runner (before `npm ci`) and services alike.
'use strict';
const { chmodSync, lstatSync, mkdirSync, readdirSync } = require('node:fs');
const path = require('node:path');

/**
 * Creates `dir` if missing and takes every permission for group and others away from it and
 * from everything below it (folders become 0700 and files at most 0600), fixing what an
 * earlier run under a loose umask left behind. Symbolic links are left alone.
 * @param {string} dir
 */
function makePrivate(dir) {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const walk = (file) => {
    let stat;
    try {
      stat = lstatSync(file);
    } catch (error) {
      if (error.code === 'ENOENT') return; // removed meanwhile
      throw error;
    }
    if (stat.isSymbolicLink()) return;
    if (stat.isDirectory()) {
      if ((stat.mode & 0o777) !== 0o700) chmodSync(file, 0o700);
      for (const name of readdirSync(file)) walk(path.join(file, name));
    } else if ((stat.mode & 0o077) !== 0 || (stat.mode & 0o600) !== 0o600) {
      chmodSync(file, (stat.mode & 0o700) | 0o600);
    }
  };
  walk(dir);
}

module.exports = { makePrivate };
