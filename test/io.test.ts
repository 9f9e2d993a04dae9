// The CLI's output to stdout and stderr: blocking writes to the descriptor, a stream only when the
// descriptor refuses a write for now. The descriptor's `write` is a hand-written stand-in for
// fs.writeSync here (short writes, EAGAIN and EPIPE cannot be caused on demand with real
// descriptors in a portable test); test/bundle.test.ts runs the real bin against real pipes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { descriptorWriter, type FallbackStream } from '../src/cli/io.js';
import { fromRoot } from './helpers/paths.js';

function errno(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(code), { code });
}

class RecordingStream implements FallbackStream {
  readonly written: string[] = [];
  errorListener: ((e: NodeJS.ErrnoException) => void) | undefined;
  write(data: string | Uint8Array): boolean {
    this.written.push(typeof data === 'string' ? data : Buffer.from(data).toString('utf8'));
    return true;
  }
  on(_event: 'error', listener: (e: NodeJS.ErrnoException) => void): this {
    this.errorListener = listener;
    return this;
  }
}

test('output is written whole through short writes, without making a stream', () => {
  const got: string[] = [];
  let made = 0;
  const write = descriptorWriter(
    1,
    () => {
      made++;
      return new RecordingStream();
    },
    () => assert.fail('no error expected'),
    (_fd, data) => {
      const n = Math.min(3, data.length); // at most 3 bytes per call
      got.push(Buffer.from(data.subarray(0, n)).toString('latin1'));
      return n;
    },
  );
  write('héllo wörld\n');
  write('second\n');
  assert.equal(Buffer.from(got.join(''), 'latin1').toString('utf8'), 'héllo wörld\nsecond\n');
  assert.equal(made, 0);
});

test('a full non-blocking pipe (EAGAIN) hands the unwritten rest, and all later output, to the stream in order', () => {
  const stream = new RecordingStream();
  const direct: string[] = [];
  let calls = 0;
  const write = descriptorWriter(
    2,
    () => stream,
    () => assert.fail('no error expected'),
    (_fd, data) => {
      calls++;
      if (calls === 1) {
        direct.push(Buffer.from(data.subarray(0, 4)).toString('utf8'));
        return 4;
      }
      throw errno('EAGAIN');
    },
  );
  write('abcdefgh');
  write('ijk');
  assert.deepEqual(direct, ['abcd']);
  assert.deepEqual(stream.written, ['efgh', 'ijk']);
  assert.equal(calls, 2, 'the descriptor is not written to once the stream has taken over');
});

test('a reader that went away (EPIPE) is told once and nothing more is written', () => {
  const errors: string[] = [];
  let calls = 0;
  const write = descriptorWriter(
    1,
    () => assert.fail('no stream expected'),
    (e) => errors.push(e.code ?? ''),
    () => {
      calls++;
      throw errno('EPIPE');
    },
  );
  write('a');
  write('b');
  assert.deepEqual(errors, ['EPIPE']);
  assert.equal(calls, 1);
});

test('an error of the stream after EAGAIN is told once too', () => {
  const stream = new RecordingStream();
  const errors: string[] = [];
  const write = descriptorWriter(1, () => stream, (e) => errors.push(e.code ?? ''), () => {
    throw errno('EAGAIN');
  });
  write('x');
  stream.errorListener?.(errno('EPIPE'));
  write('y');
  assert.deepEqual(stream.written, ['x']);
  assert.deepEqual(errors, ['EPIPE']);
});

test('the bin writes its report and warnings to real pipes, and stops quietly when the reader goes away', () => {
  const bin = fromRoot('bin/kubeward.js');
  const full = spawnSync(process.execPath, [bin, 'scan', fromRoot('examples/shop'), '--format', 'json'], { encoding: 'utf8' });
  assert.equal(full.status, 1, full.stderr);
  const report = JSON.parse(full.stdout) as { findings: unknown[] };
  assert.ok(report.findings.length > 10);
  // A reader that closes after the first line: no error message, no stack trace.
  const cut = spawnSync('/bin/sh', ['-c', `"${process.execPath}" "${bin}" scan "${fromRoot('examples/shop')}" --format json | head -c 10`], { encoding: 'utf8' });
  assert.equal(cut.stdout, full.stdout.slice(0, 10));
  assert.equal(cut.stderr, '');
  // Warnings reach stderr through a pipe.
  const dir = mkdtempSync(path.join(tmpdir(), 'kubeward-io-'));
  try {
    const cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: twice\n  namespace: default\n';
    writeFileSync(path.join(dir, 'a.yaml'), cm);
    writeFileSync(path.join(dir, 'b.yaml'), cm);
    const dup = spawnSync(process.execPath, [bin, 'scan', dir, '--format', 'json'], { encoding: 'utf8' });
    assert.match(dup.stderr, /^kubeward: .*b\.yaml:1: duplicate ConfigMap default\/twice \(first defined at .*a\.yaml:1\); both copies are scanned\n$/);
    assert.ok(JSON.parse(dup.stdout));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
