// Renders docs/openapi.yaml as Markdown for people (docs/API.md): one table per service.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/** Reads the API document. */
export function loadApiSpec(root) {
  return parse(readFileSync(path.join(root, 'docs', 'openapi.yaml'), 'utf8'));
}

function resolve(spec, node) {
  if (!node?.$ref) return node;
  return resolve(
    spec,
    node.$ref
      .split('/')
      .slice(1)
      .reduce((at, key) => at[key], spec),
  );
}

const refName = (node) => (node?.$ref ? node.$ref.split('/').at(-1) : undefined);
const cell = (text) =>
  String(text ?? '')
    .replaceAll('|', '\\|')
    .replaceAll('\n', ' ')
    .trim();

function bodyOf(operation) {
  const schema = operation.requestBody?.content?.['application/json']?.schema;
  if (!schema) return '–';
  return refName(schema) ? `[${refName(schema)}](#${refName(schema).toLowerCase()})` : 'JSON';
}

function answer(spec, status, response) {
  const resolved = resolve(spec, response);
  const schema = resolved.content?.['application/json']?.schema;
  const shape =
    refName(schema) && refName(schema) !== 'ErrorBody'
      ? ` [${refName(schema)}](#${refName(schema).toLowerCase()})`
      : '';
  return `**${status}**${shape} ${cell(resolved.description)}`;
}

function schemaSection(spec, name, schema) {
  const lines = [`### ${name}`, ''];
  if (schema.description) lines.push(schema.description, '');
  const required = new Set(schema.required ?? []);
  const properties = Object.entries(schema.properties ?? {});
  if (properties.length === 0) return lines;
  lines.push('| field | type | notes |', '| --- | --- | --- |');
  for (const [field, property] of properties) {
    const type =
      refName(property) ?? property.type ?? (property.const !== undefined ? JSON.stringify(property.const) : '');
    const notes = [required.has(field) ? 'required' : '', property.format ?? '', property.description ?? '']
      .filter(Boolean)
      .join('; ');
    lines.push(`| \`${field}\` | ${cell(Array.isArray(type) ? type.join(' or ') : type)} | ${cell(notes)} |`);
  }
  lines.push('');
  return lines;
}

/** The Markdown page for people. */
export function renderApiDocs(spec) {
  const lines = [
    `# ${spec.info.title}`,
    '',
    '<!-- Generated from docs/openapi.yaml by `npm run docs`; edit that file, not this one. -->',
    '',
    spec.info.description.trim(),
    '',
  ];
  for (const tag of spec.tags) {
    lines.push(`## ${tag.name}`, '', tag.description, '');
    lines.push('| route | auth | body | success | failures |', '| --- | --- | --- | --- | --- |');
    for (const [route, item] of Object.entries(spec.paths)) {
      for (const method of METHODS) {
        const operation = item[method];
        if (!operation?.tags?.includes(tag.name)) continue;
        const responses = Object.entries(operation.responses);
        const success = responses.filter(([status]) => status.startsWith('2'));
        const failures = responses.filter(([status]) => !status.startsWith('2'));
        lines.push(
          `| \`${method.toUpperCase()} ${route}\` | ${operation.security ? 'signed in' : '–'} | ${bodyOf(operation)} | ${success
            .map(([status, response]) => answer(spec, status, response))
            .join('<br>')} | ${failures.map(([status, response]) => answer(spec, status, response)).join('<br>')} |`,
        );
      }
    }
    lines.push('');
    for (const [route, item] of Object.entries(spec.paths)) {
      for (const method of METHODS) {
        const operation = item[method];
        if (operation?.tags?.includes(tag.name) && operation.description) {
          lines.push(`**\`${method.toUpperCase()} ${route}\`**: ${operation.description.trim()}`, '');
        }
      }
    }
  }
  lines.push('## Schemas', '');
  for (const [name, schema] of Object.entries(spec.components.schemas))
    lines.push(...schemaSection(spec, name, schema));
  return `${lines.join('\n').trimEnd()}\n`;
}
