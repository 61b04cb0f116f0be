import path from 'node:path';
import ts from 'typescript';
import { ROOT } from './manifests';

/** A field the schema does not declare, e.g. `spec.template.spec.containers[0].imagePullPolicyy`. */
export interface FieldProblem {
  path: string;
  message: string;
}

const GATEWAY_GROUP = 'gateway.networking.k8s.io';

/**
 * The module of kubernetes-models (or its Gateway API sibling) whose interface `I<Kind>`
 * declares an object of this apiVersion and kind.
 */
export function declarationModule(apiVersion: string, kind: string): string {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  if (group === GATEWAY_GROUP) return `@kubernetes-models/gateway-api/${GATEWAY_GROUP}/${version}/${kind}`;
  return group === '' ? `kubernetes-models/${version}/${kind}` : `kubernetes-models/${group}/${version}/${kind}`;
}

/**
 * The OpenAPI validators in kubernetes-models check types, enums and required fields but
 * let unknown fields through, and the API server would drop a misspelled field silently.
 * The same package declares every schema as a TypeScript interface (same names, same
 * nesting), so a type checker over those declarations finds fields no schema declares.
 */
export function findUnknownFields(objects: readonly unknown[]): FieldProblem[][] {
  const kinds = objects.map((object) => {
    const { apiVersion, kind } = (object ?? {}) as { apiVersion?: unknown; kind?: unknown };
    return typeof apiVersion === 'string' && typeof kind === 'string' ? declarationModule(apiVersion, kind) : null;
  });
  const modules = [...new Set(kinds.filter((k): k is string => k !== null))];
  const { checker, types } = declaredTypes(modules);
  return objects.map((object, i) => {
    const type = kinds[i] === null ? undefined : types.get(kinds[i]!);
    if (type === undefined) return []; // unknown kind: the OpenAPI validation names it
    const problems: FieldProblem[] = [];
    walk(checker, object, type, '', problems);
    return problems;
  });
}

function declaredTypes(modules: string[]): { checker: ts.TypeChecker; types: Map<string, ts.Type> } {
  const entry = path.join(ROOT, 'infra', 'test', '__declared-kinds__.ts');
  const source = modules
    .map((module, i) => {
      const kind = module.slice(module.lastIndexOf('/') + 1);
      return `import type { I${kind} as K${i} } from ${JSON.stringify(module)};\nexport type { K${i} };`;
    })
    .join('\n');
  const options: ts.CompilerOptions = {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2022.d.ts'],
    types: [],
    strict: true,
    noEmit: true,
    skipLibCheck: true,
  };
  const host = ts.createCompilerHost(options, true);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, ...rest) =>
    fileName === entry
      ? ts.createSourceFile(fileName, source, languageVersion)
      : getSourceFile(fileName, languageVersion, ...rest);
  host.fileExists = (fileName) => fileName === entry || ts.sys.fileExists(fileName);
  host.readFile = (fileName) => (fileName === entry ? source : ts.sys.readFile(fileName));

  const program = ts.createProgram([entry], options, host);
  const checker = program.getTypeChecker();
  const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(entry)!);
  const exported = new Map((moduleSymbol ? checker.getExportsOfModule(moduleSymbol) : []).map((s) => [s.name, s]));
  const types = new Map<string, ts.Type>();
  modules.forEach((module, i) => {
    const alias = exported.get(`K${i}`);
    if (!alias) return;
    const type = checker.getDeclaredTypeOfSymbol(checker.getAliasedSymbol(alias));
    if (!(type.flags & ts.TypeFlags.Any)) types.set(module, type);
  });
  return { checker, types };
}

function walk(checker: ts.TypeChecker, value: unknown, declared: ts.Type, at: string, problems: FieldProblem[]): void {
  const type = checker.getNonNullableType(declared);
  if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return;
  const members = type.isUnion() ? type.types : [type];

  if (Array.isArray(value)) {
    const arrayType = members.find((m) => checker.isArrayType(m));
    if (!arrayType) return; // wrong shape: the OpenAPI validation reports it
    const [element] = checker.getTypeArguments(arrayType as ts.TypeReference);
    if (element) value.forEach((item, i) => walk(checker, item, element, `${at}[${i}]`, problems));
    return;
  }
  if (value === null || typeof value !== 'object') return;

  const objectTypes = members.filter((m) => m.flags & ts.TypeFlags.Object && !checker.isArrayType(m));
  if (objectTypes.length === 0) return;
  const entries = Object.entries(value);
  const objectType = objectTypes.find((t) => entries.every(([key]) => t.getProperty(key))) ?? objectTypes[0]!;
  for (const [key, child] of entries) {
    const childPath = at === '' ? key : `${at}.${key}`;
    const property = objectType.getProperty(key);
    const index = property ? undefined : checker.getIndexInfoOfType(objectType, ts.IndexKind.String);
    if (property) walk(checker, child, checker.getTypeOfSymbol(property), childPath, problems);
    else if (index) walk(checker, child, index.type, childPath, problems);
    else problems.push({ path: childPath, message: `unknown field "${key}"` });
  }
}
