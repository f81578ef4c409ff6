import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as ts from 'typescript';

// On Node 20, once optimized, `{ ...source, extra }` (a spread followed by a property the source
// lacks) makes a runtime call and a fresh hidden class on every evaluation. On the decision path
// that cost about a fifth of the API's CPU (README, decision notes), so this test is the fence:
// such literals are spelled out there, or carry a `shape-ok:` comment on the line above saying why
// they are harmless (the later properties only overwrite, or the line is cold).
const SRC = join(__dirname, '..', '..', 'src');
const DECISION_PATH_DIRS = ['engine/policy', 'engine/caps', 'engine/pacing', 'engine/tracking', 'modules/delivery'];

function listTsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listTsFiles(path) : name.endsWith('.ts') && !name.endsWith('.spec.ts') ? [path] : [];
  });
}

/** 1-based lines of object literals that start with a spread and go on, without a shape-ok comment above. */
export function spreadThenMoreLines(source: string): number[] {
  const file = ts.createSourceFile('x.ts', source, ts.ScriptTarget.Latest, true);
  const lines = source.split('\n');
  const found: number[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isObjectLiteralExpression(node) && node.properties.length > 1 && ts.isSpreadAssignment(node.properties[0])) {
      const line = file.getLineAndCharacterOfPosition(node.getStart()).line;
      if (!/\/\/\s*shape-ok:/.test(lines[line - 1] ?? '')) found.push(line + 1);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

describe('decision-path object shapes', () => {
  it.each([
    ['const a = { ...b, c: 1 };', [1]],
    ['const a = { ...b, ...c };', [1]],
    ['const a = {\n  ...b,\n  c,\n};', [1]],
    ['// shape-ok: c overwrites\nconst a = { ...b, c: 1 };', []],
    ['const a = { ...b };', []],
    ['const a = { c: 1, ...b };', []],
    ['const a = { b: b.b, c: 1 };', []],
    ['f({ x: 1, y: { ...z, w: 2 } });', [1]],
  ])('finds %j', (source, expected) => {
    expect(spreadThenMoreLines(source)).toEqual(expected);
  });

  it('no file on the decision path spreads an object and then adds to it', () => {
    const files = DECISION_PATH_DIRS.flatMap((dir) => listTsFiles(join(SRC, dir)));
    expect(files.length).toBeGreaterThan(10);
    const found = files.flatMap((file) => spreadThenMoreLines(readFileSync(file, 'utf8')).map((line) => `${relative(SRC, file)}:${line}`));
    expect(found).toEqual([]);
  });
});
