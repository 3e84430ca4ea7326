import { describe, expect, it } from 'vitest';
import { layerFraction } from './PullImageDialog';

describe('layer progress', () => {
  it('counts the last status of a pulled or a pushed layer as done', () => {
    for (const status of ['Pull complete', 'Already exists', 'Pushed', 'Layer already exists', 'Mounted from library/busybox'])
      expect(layerFraction({ id: 'abc123', status }), status).toBe(1);
  });

  it('measures a transfer in progress by its bytes', () => {
    expect(layerFraction({ id: 'abc123', status: 'Pushing', current: 25, total: 100 })).toBe(0.25);
    expect(layerFraction({ id: 'abc123', status: 'Preparing' })).toBe(0);
    expect(layerFraction({ id: 'abc123', status: 'Waiting' })).toBe(0);
  });
});
