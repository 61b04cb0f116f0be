import { entityWindows } from '../src/outbox/outbox-relay';

const rows = (aggregates: string) => [...aggregates].map((aggregate, position) => ({ aggregate, position }));
const shape = (windows: { aggregate: string }[][]) => windows.map((w) => w.map((row) => row.aggregate).join(''));

describe('entityWindows', () => {
  it('cuts the rows into consecutive runs in which no entity appears twice, keeping their order', () => {
    expect(shape(entityWindows(rows('abcadbbe')))).toEqual(['abc', 'adb', 'be']);
    expect(
      entityWindows(rows('abcadbbe'))
        .flat()
        .map((row) => row.position),
    ).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('keeps distinct entities in one run, repeats of one entity in runs of one, and nothing as nothing', () => {
    expect(shape(entityWindows(rows('abcdef')))).toEqual(['abcdef']);
    expect(shape(entityWindows(rows('aaa')))).toEqual(['a', 'a', 'a']);
    expect(entityWindows([])).toEqual([]);
  });
});
