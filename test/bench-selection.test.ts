// `npm run bench -- --stages …`: stages by number or name, the default leaving out the opt-in
// scale stage, `all` taking it in, and an unknown stage refused by name.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StageSelection } from '../bench/lib/selection.ts';

describe('bench stage selection', () => {
  it('runs every stage but the opt-in ones by default', () => {
    const s = StageSelection.parse(undefined);
    assert.ok(s.has(0) && s.has(1) && s.has(8) && s.has(11));
    assert.equal(s.has(10), false);
  });

  it('takes numbers and names, and all', () => {
    const s = StageSelection.parse('1, pods,scale');
    assert.deepEqual([0, 1, 2, 8, 10].map((n) => s.has(n)), [false, true, false, true, true]);
    assert.equal(s.describe(), '1 start, 8 pods, 10 scale');
    assert.ok(StageSelection.parse('all').has(10));
  });

  it('refuses an unknown stage, naming it', () => {
    assert.throws(() => StageSelection.parse('1,nope'), /unknown stage "nope"/);
  });
});
