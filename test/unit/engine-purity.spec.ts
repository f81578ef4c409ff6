import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

// src/engine must stay deterministic and framework-free so it can be table-tested and reused
// by workers, benches and the simulator; this test is the fence.
const ENGINE_DIR = join(__dirname, '..', '..', 'src', 'engine');
const FORBIDDEN_IMPORTS = [/^@nestjs\//, /^typeorm/, /^ioredis/, /^bullmq/, /^onnxruntime-node/, /^pg$/, /^@electric-sql\//];
const IMPORT_RE = /(?:import\s[^'"]*?from\s*|import\s*\(\s*|require\s*\(\s*|export\s[^'"]*?from\s*)['"]([^'"]+)['"]/g;

function listTsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listTsFiles(path) : name.endsWith('.ts') ? [path] : [];
  });
}

export function findViolations(source: string): string[] {
  const problems: string[] = [];
  for (const match of source.matchAll(IMPORT_RE)) {
    const spec = match[1];
    if (FORBIDDEN_IMPORTS.some((re) => re.test(spec))) problems.push(`imports ${spec}`);
  }
  if (/process\s*\.\s*env|process\s*\[\s*['"]env['"]\s*\]/.test(source)) problems.push('reads process.env');
  return problems;
}

describe('engine purity', () => {
  it.each([
    ["import { Injectable } from '@nestjs/common';", ['imports @nestjs/common']],
    ["import Redis from 'ioredis';", ['imports ioredis']],
    ["const x = require('bullmq');", ['imports bullmq']],
    ["export { Repository } from 'typeorm';", ['imports typeorm']],
    ["const ort = await import('onnxruntime-node');", ['imports onnxruntime-node']],
    ['const port = process.env.PORT;', ['reads process.env']],
    ["import { hash } from './hash';", []],
  ])('detects %s', (source, expected) => {
    expect(findViolations(source)).toEqual(expected);
  });

  it('no file in src/engine imports a framework or reads process.env', () => {
    const files = listTsFiles(ENGINE_DIR);
    expect(files.length).toBeGreaterThan(0);
    const violations = files.flatMap((file) =>
      findViolations(readFileSync(file, 'utf8')).map((p) => `${relative(ENGINE_DIR, file)}: ${p}`),
    );
    expect(violations).toEqual([]);
  });
});
