import { fireEvent, render, screen, within } from '@testing-library/react';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { setAppApi } from '../../app-api';
import { useAppStore } from '../../stores/app-store';
import { container, createFakeApi } from '../../test-support/fake-api';
import { ContainerList } from './ContainerList';

const initial = useAppStore.getState();

function seed(list: ReturnType<typeof container>[]) {
  useAppStore.setState({ ...initial, containers: { items: Object.fromEntries(list.map((c) => [c.id, c])), loaded: true } }, true);
}

describe('ContainerList', () => {
  beforeAll(() => {
    // happy-dom has no layout: give the scroll container a viewport so the virtualiser renders rows.
    Object.defineProperty(HTMLElement.prototype, 'offsetHeight', { configurable: true, get: () => 800 });
    Object.defineProperty(HTMLElement.prototype, 'offsetWidth', { configurable: true, get: () => 1200 });
    Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => 800 });
    Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => 1200 });
  });
  beforeEach(() => useAppStore.setState(initial, true));

  it('renders rows with name, image, state and ports, and filters by search', () => {
    seed([
      container('web', { ports: [{ privatePort: 80, publicPort: 8080, type: 'tcp', ip: '0.0.0.0' }], image: 'nginx:1.27' }),
      container('db', { state: 'exited', status: 'Exited (0) 2 hours ago', image: 'postgres:16' }),
    ]);
    render(<ContainerList />);
    const rows = screen.getAllByTestId('container-row');
    expect(rows).toHaveLength(2);
    const web = rows.find((row) => row.dataset['name'] === 'web');
    expect(web).toBeDefined();
    expect(within(web!).getByText('nginx:1.27')).toBeTruthy();
    expect(within(web!).getByText('Running')).toBeTruthy();
    const link = within(web!).getByRole('link', { name: '8080→80' });
    expect(link.getAttribute('href')).toBe('http://localhost:8080/');
    expect(link.getAttribute('rel')).toContain('noopener');

    fireEvent.change(screen.getByRole('searchbox', { name: 'Search containers' }), { target: { value: 'postgres' } });
    expect(screen.getAllByTestId('container-row').map((row) => row.dataset['name'])).toEqual(['db']);
  });

  it('virtualises long lists', () => {
    seed(Array.from({ length: 2000 }, (_, i) => container(`worker-${i}`, { created: 2_000_000_000 - i })));
    render(<ContainerList />);
    const rendered = screen.getAllByTestId('container-row').length;
    expect(rendered).toBeGreaterThan(5);
    expect(rendered).toBeLessThan(100);
  });

  it('renders engine text as text, never as HTML', () => {
    seed([container('x', { image: '<img src=x onerror=alert(1)>' })]);
    const { container: root } = render(<ContainerList />);
    expect(root.querySelector('img')).toBeNull();
    expect(screen.getByText('<img src=x onerror=alert(1)>')).toBeTruthy();
  });

  it('starts a stopped container through the contract', async () => {
    const fake = createFakeApi([]);
    setAppApi(fake.api);
    const db = container('db', { state: 'exited', status: 'Exited (0)' });
    seed([db]);
    render(<ContainerList />);
    fireEvent.click(screen.getByRole('button', { name: 'Start db' }));
    await screen.findByRole('button', { name: 'Start db' });
    expect(fake.calls).toContain(`start:${db.id}`);
  });

  it('groups containers by compose project and collapses a group', () => {
    seed([
      container('shop-web', { composeProject: 'shop' }),
      container('shop-db', { composeProject: 'shop', state: 'exited', status: 'Exited (0)' }),
      container('loose'),
    ]);
    render(<ContainerList />);
    const group = screen.getByTestId('group-row');
    expect(group.dataset['project']).toBe('shop');
    expect(within(group).getByText('1/2 running')).toBeTruthy();
    expect(screen.getAllByTestId('container-row')).toHaveLength(3);
    fireEvent.click(within(group).getByRole('button', { expanded: true }));
    expect(screen.getAllByTestId('container-row').map((row) => row.dataset['name'])).toEqual(['loose']);
  });

  it('moves with the arrow keys, selects with space and stops the selection in bulk', async () => {
    const fake = createFakeApi([]);
    setAppApi(fake.api);
    const a = container('a', { created: 3 });
    const b = container('b', { created: 2 });
    seed([a, b]);
    render(<ContainerList />);
    const list = screen.getByTestId('containers-scroll');
    fireEvent.focus(list);
    fireEvent.keyDown(list, { key: ' ' });
    fireEvent.keyDown(list, { key: 'ArrowDown' });
    fireEvent.keyDown(list, { key: ' ' });
    expect(screen.getAllByTestId('container-row').filter((row) => row.getAttribute('aria-selected') === 'true')).toHaveLength(2);
    fireEvent.click(within(screen.getByRole('toolbar', { name: 'Selected containers' })).getByRole('button', { name: 'Stop' }));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(fake.calls.filter((call) => call.startsWith('stop:')).sort()).toEqual([`stop:${a.id}`, `stop:${b.id}`].sort());
  });

  it('asks before removing with the Delete key', () => {
    seed([container('victim', { state: 'exited', status: 'Exited (0)' })]);
    render(<ContainerList />);
    const list = screen.getByTestId('containers-scroll');
    fireEvent.focus(list);
    fireEvent.keyDown(list, { key: 'Delete' });
    expect(screen.getByRole('dialog', { name: 'Remove container?' })).toBeTruthy();
  });
});
