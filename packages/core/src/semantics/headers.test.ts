import { describe, expect, it } from 'vitest';
import { headersMatch } from './headers.js';

describe('headers matching', () => {
  it('x-match all needs every header equal', () => {
    const binding = { 'x-match': 'all', format: 'pdf', type: 'report' };
    expect(headersMatch(binding, { format: 'pdf', type: 'report', extra: 1 })).toBe(true);
    expect(headersMatch(binding, { format: 'pdf' })).toBe(false);
    expect(headersMatch(binding, { format: 'pdf', type: 'log' })).toBe(false);
  });
  it('all is the default', () => {
    expect(headersMatch({ format: 'pdf', type: 'report' }, { format: 'pdf' })).toBe(false);
    expect(headersMatch({ format: 'pdf' }, { format: 'pdf' })).toBe(true);
  });
  it('x-match any needs one header equal', () => {
    const binding = { 'x-match': 'any', format: 'pdf', type: 'report' };
    expect(headersMatch(binding, { type: 'report' })).toBe(true);
    expect(headersMatch(binding, { format: 'zip', type: 'log' })).toBe(false);
    expect(headersMatch(binding, {})).toBe(false);
  });
  it('ignores x- arguments unless -with-x', () => {
    expect(headersMatch({ 'x-match': 'all', 'x-trace': 1 }, {})).toBe(true);
    expect(headersMatch({ 'x-match': 'all-with-x', 'x-trace': 1 }, {})).toBe(false);
    expect(headersMatch({ 'x-match': 'any-with-x', 'x-trace': 1 }, { 'x-trace': 1 })).toBe(true);
  });
  it('does not confuse a number with its string', () => {
    expect(headersMatch({ level: 1 }, { level: '1' })).toBe(false);
  });
});
