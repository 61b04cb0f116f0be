import { DockerfileParser, type Instruction } from 'dockerfile-ast';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './manifests';

/** One instruction, with its arguments, its `--flags` and, for exec form, its JSON list. */
export interface DockerInstruction {
  keyword: string;
  args: string[];
  flags: Record<string, string | null>;
  exec: string[] | null;
  /** The WORKDIR in force when the instruction runs. */
  workdir: string;
}

/** A build stage: the image or stage it starts from, and its own instructions. */
export interface DockerStage {
  name: string | null;
  from: string;
  instructions: DockerInstruction[];
}

/** A Dockerfile (path relative to the repository root), parsed into stages. */
export interface Dockerfile {
  file: string;
  text: string;
  stages: DockerStage[];
}

/** A Dockerfile of the repository, parsed with the build arguments given (others at their defaults). */
export function readDockerfile(file: string, buildArgs: Record<string, string> = {}): Dockerfile {
  return parseDockerfile(readFileSync(path.join(ROOT, file), 'utf8'), file, buildArgs);
}

/** `$NAME` and `${NAME}` replaced by the value of that build argument; unknown ones stay. */
function substitute(value: string, args: Record<string, string>): string {
  return value.replace(
    /\$\{(\w+)\}|\$(\w+)/g,
    (whole, braced?: string, bare?: string) => args[(braced ?? bare)!] ?? whole,
  );
}

/**
 * Dockerfile text, parsed into stages; `file` only names it in messages. Build arguments
 * are substituted as the build would: the given ones, else each ARG's default.
 */
export function parseDockerfile(text: string, file: string, buildArgs: Record<string, string> = {}): Dockerfile {
  const stages: DockerStage[] = [];
  const workdirs = new Map<string, string>();
  const argValues: Record<string, string> = {};
  let workdir = '/';
  for (const instruction of DockerfileParser.parse(text).getInstructions()) {
    const keyword = instruction.getKeyword();
    const raw = instruction.getArguments().map((a) => a.getValue());
    if (keyword === 'ARG') {
      const [name, fallback] = (raw[0] ?? '').split('=', 2);
      if (name && !(name in argValues)) argValues[name] = buildArgs[name] ?? fallback ?? '';
    }
    const args = raw.map((value) => substitute(value, { ...argValues, ...buildArgs }));
    if (keyword === 'FROM') {
      const from = args[0] ?? '';
      const name = args[1]?.toUpperCase() === 'AS' ? (args[2] ?? null) : null;
      workdir = workdirs.get(from) ?? '/';
      stages.push({ name, from, instructions: [] });
      continue;
    }
    if (keyword === 'WORKDIR') workdir = path.posix.resolve(workdir, args[0] ?? '');
    const stage = stages.at(-1);
    if (!stage) {
      if (keyword === 'ARG') continue;
      throw new Error(`${file}: ${keyword} before the first FROM`);
    }
    stage.instructions.push({ keyword, args, flags: flagsOf(instruction), exec: execFormOf(instruction), workdir });
    if (stage.name) workdirs.set(stage.name, workdir);
  }
  return { file, text, stages };
}

function flagsOf(instruction: Instruction): Record<string, string | null> {
  const withFlags = instruction as Instruction & {
    getFlags?: () => { getName(): string; getValue(): string | null }[];
  };
  return Object.fromEntries((withFlags.getFlags?.() ?? []).map((f) => [f.getName(), f.getValue()]));
}

function execFormOf(instruction: Instruction): string[] | null {
  const json = instruction as Instruction & { getJSONStrings?: () => { getJSONValue(): string }[] };
  const strings = json.getJSONStrings?.() ?? [];
  return strings.length > 0 ? strings.map((s) => s.getJSONValue()) : null;
}

/** The stage of that name; throws when there is none. */
export function stageNamed(dockerfile: Dockerfile, name: string): DockerStage {
  const stage = dockerfile.stages.find((s) => s.name === name);
  if (!stage) throw new Error(`${dockerfile.file} has no stage ${name}`);
  return stage;
}

/** The stage and the earlier stages it builds on, base first. */
export function stageChain(dockerfile: Dockerfile, stage: DockerStage): DockerStage[] {
  const parent = dockerfile.stages.find((s) => s.name === stage.from);
  return parent ? [...stageChain(dockerfile, parent), stage] : [stage];
}

/** The instructions that run to build the stage, its ancestors' included. */
export function instructionsOf(dockerfile: Dockerfile, stage: DockerStage): DockerInstruction[] {
  return stageChain(dockerfile, stage).flatMap((s) => s.instructions);
}

/** A COPY: the stage it reads from (null for the build context), its sources, and where they land. */
export interface DockerCopy {
  from: string | null;
  sources: string[];
  destination: string;
}

/** The COPY instructions among these, with destinations resolved against their WORKDIR. */
export function copiesOf(instructions: DockerInstruction[]): DockerCopy[] {
  return instructions
    .filter((i) => i.keyword === 'COPY')
    .map((i) => ({
      from: i.flags.from ?? null,
      sources: i.args.slice(0, -1),
      destination: path.posix.resolve(i.workdir, i.args.at(-1) ?? ''),
    }));
}
