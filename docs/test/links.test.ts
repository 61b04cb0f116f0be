import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.join(__dirname, '..', '..');

// Folders that hold what was installed, built or run, not what was written.
const SKIPPED = new Set(['node_modules', 'dist', 'test-results', 'coverage']);

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name.startsWith('.') || SKIPPED.has(entry.name)) return [];
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return markdownFiles(full);
    return entry.name.endsWith('.md') ? [full] : [];
  });
}

/** The text outside fenced code blocks, where links and headings mean something. */
function prose(markdown: string): string[] {
  let fenced = false;
  return markdown.split('\n').filter((line) => {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      return false;
    }
    return !fenced;
  });
}

/** Heading anchors as GitHub makes them: lowercase, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchorsOf(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const line of prose(markdown)) {
    const heading = /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const slug = heading[1]!
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    anchors.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return anchors;
}

function linksOf(markdown: string): string[] {
  // Inline code is text, not a link.
  const text = prose(markdown)
    .map((line) => line.replace(/`[^`]*`/g, ''))
    .join('\n');
  return [...text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((match) => match[1]!);
}

/** Every relative link (and its `#anchor`) in the Markdown under `base` that leads nowhere, as `file: target`. */
function brokenLinks(base: string): string[] {
  const broken: string[] = [];
  for (const file of markdownFiles(base)) {
    for (const link of linksOf(readFileSync(file, 'utf8'))) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(link)) continue; // https:, mailto: …
      const [target = '', anchor] = link.split('#');
      const resolved = target === '' ? file : path.resolve(path.dirname(file), decodeURIComponent(target));
      const where = `${path.relative(base, file)}: ${link}`;
      let isFile: boolean;
      try {
        isFile = statSync(resolved).isFile();
      } catch {
        broken.push(`${where} (no such file)`);
        continue;
      }
      if (anchor && !(isFile && resolved.endsWith('.md') && anchorsOf(readFileSync(resolved, 'utf8')).has(anchor))) {
        broken.push(`${where} (no such heading)`);
      }
    }
  }
  return broken;
}

describe('the documentation', () => {
  it('has no relative link or heading anchor that leads nowhere', () => {
    expect(brokenLinks(root)).toEqual([]);
  });

  it('finds a link to a missing file, a missing heading and a missing heading of its own page', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'links-'));
    try {
      mkdirSync(path.join(dir, 'docs'));
      writeFileSync(path.join(dir, 'docs', 'a.md'), '# A\n\n## What `npm start` runs\n\n## Repeated\n\n## Repeated\n');
      writeFileSync(
        path.join(dir, 'README.md'),
        [
          '# Front',
          '[fine](docs/a.md#what-npm-start-runs) [fine too](docs/a.md#repeated-1) [self](#front) [web](https://example.com)',
          '![picture](docs/missing.png) [gone](docs/gone.md) [no heading](docs/a.md#nowhere) [no self](#nowhere)',
          '`[not a link](nowhere.md)`',
          '```',
          '[in a code block](nowhere.md)',
          '```',
        ].join('\n'),
      );

      expect(brokenLinks(dir)).toEqual([
        'README.md: docs/missing.png (no such file)',
        'README.md: docs/gone.md (no such file)',
        'README.md: docs/a.md#nowhere (no such heading)',
        'README.md: #nowhere (no such heading)',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps the README a front page: at most 150 lines', () => {
    expect(readFileSync(path.join(root, 'README.md'), 'utf8').trimEnd().split('\n').length).toBeLessThanOrEqual(150);
  });
});
