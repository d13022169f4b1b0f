import { describe, expect, it } from 'vitest';
import { areas, findArea } from './areas.js';

describe('console areas', () => {
  it('lists home first, then every module area once', () => {
    expect(areas.map((area) => area.key)).toEqual([
      'home',
      'inbox',
      'chat',
      'helpCentre',
      'customers',
      'settings',
    ]);
    expect(new Set(areas.map((area) => area.path)).size).toBe(areas.length);
  });

  it('finds the area owning a path, and none for unknown paths', () => {
    expect(findArea('/')?.key).toBe('home');
    expect(findArea('/help-centre/articles/7')?.key).toBe('helpCentre');
    expect(findArea('/nowhere')).toBeUndefined();
  });
});
