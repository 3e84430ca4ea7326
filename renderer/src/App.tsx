import { useCallback, useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { ContainerDetailsPage } from './features/containers/ContainerDetailsPage';
import { ContainerList } from './features/containers/ContainerList';
import { Dashboard } from './features/dashboard/Dashboard';
import { ImageList } from './features/images/ImageList';
import { NetworkList } from './features/networks/NetworkList';
import { VolumeList } from './features/volumes/VolumeList';
import { CreateVolumeDialog } from './features/volumes/CreateVolumeDialog';
import { CreateNetworkDialog } from './features/networks/NetworkDialogs';
import { PruneImagesDialog } from './features/images/ImageDialogs';
import { PullImageDialog } from './features/images/PullImageDialog';
import { RunContainerDialog } from './features/run/RunContainerDialog';
import { CommandPalette } from './features/palette/CommandPalette';
import type { GlobalDialog } from './features/palette/palette-commands';
import { hrefFor, useRoute, type Route } from './lib/router';
import { useAppStore } from './stores/app-store';
import { Button } from './ui/Button';
import { Icon, type IconName } from './ui/Icon';
import { ErrorBanner } from './ui/Page';
import { Toasts } from './ui/Toasts';

const nav: Array<{ page: Route['page']; label: string; icon: IconName }> = [
  { page: 'dashboard', label: 'Dashboard', icon: 'dashboard' },
  { page: 'containers', label: 'Containers', icon: 'containers' },
  { page: 'images', label: 'Images', icon: 'images' },
  { page: 'volumes', label: 'Volumes', icon: 'volumes' },
  { page: 'networks', label: 'Networks', icon: 'networks' },
];

function Sidebar({ route, onPalette }: { route: Route; onPalette: () => void }) {
  const status = useAppStore((state) => state.engineStatus);
  const version = useAppStore((state) => state.engineVersion);
  const theme = useAppStore((state) => state.theme);
  const setTheme = useAppStore((state) => state.setTheme);
  const counts = useAppStore(
    useShallow((state) => ({
      containers: Object.keys(state.containers.items).length,
      images: state.images.items.length,
      volumes: state.volumes.items.length,
      networks: state.networks.items.length,
    })),
  );
  const active = route.page === 'container' ? 'containers' : route.page;
  return (
    <aside className="sidebar">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true">
          <Icon name="containers" size={18} />
        </span>
        <span className="brand-name">Berth</span>
      </div>
      <button type="button" className="palette-trigger" onClick={onPalette} aria-label="Open the command palette">
        <Icon name="search" />
        <span>Search or run…</span>
        <kbd>{/Mac/.test(navigator.platform) ? '⌘K' : 'Ctrl K'}</kbd>
      </button>
      <nav aria-label="Main">
        {nav.map((item) => {
          const count = item.page === 'dashboard' || item.page === 'container' ? undefined : counts[item.page];
          return (
            <a
              key={item.page}
              href={hrefFor({ page: item.page } as Route)}
              className={`nav-item${active === item.page ? ' active' : ''}`}
              aria-current={active === item.page ? 'page' : undefined}
            >
              <Icon name={item.icon} size={18} />
              <span>{item.label}</span>
              {count !== undefined && count > 0 && <span className="nav-count">{count}</span>}
            </a>
          );
        })}
      </nav>
      <div className="sidebar-footer">
        <div className={`engine-pill engine-${status.state}`} data-testid="engine-status" title={status.message ?? status.host}>
          <span className="engine-dot" aria-hidden="true" />
          <span>
            {status.state === 'running' ? 'Engine running' : status.state === 'connecting' ? 'Connecting…' : 'Engine unreachable'}
          </span>
          {version !== undefined && status.state === 'running' && null}
        </div>
        <Button
          variant="ghost"
          icon={theme === 'dark' ? 'sun' : 'moon'}
          aria-label={`Switch to ${theme === 'dark' ? 'light' : 'dark'} theme`}
          onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')}
        />
      </div>
    </aside>
  );
}

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'dashboard':
      return <Dashboard />;
    case 'containers':
      return <ContainerList />;
    case 'container':
      return <ContainerDetailsPage route={route} />;
    case 'images':
      return <ImageList />;
    case 'volumes':
      return <VolumeList />;
    case 'networks':
      return <NetworkList />;
  }
}

export function App() {
  const route = useRoute();
  const theme = useAppStore((state) => state.theme);
  const status = useAppStore((state) => state.engineStatus);
  const startSync = useAppStore((state) => state.startSync);
  const refreshAll = useAppStore((state) => state.refreshAll);
  const [palette, setPalette] = useState(false);
  const [dialog, setDialog] = useState<{ kind: GlobalDialog; image?: string }>();
  const openDialog = useCallback(
    (kind: GlobalDialog, image?: string) => setDialog({ kind, ...(image !== undefined ? { image } : {}) }),
    [],
  );
  const closeDialog = useCallback(() => setDialog(undefined), []);
  useEffect(() => startSync(), [startSync]);
  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === 'k') {
        event.preventDefault();
        setPalette((open) => !open);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  useEffect(() => {
    document.documentElement.dataset['theme'] = theme;
  }, [theme]);
  return (
    <div className="app">
      <Sidebar route={route} onPalette={() => setPalette(true)} />
      <main className="main">
        {status.state === 'unreachable' && (
          <ErrorBanner
            title="Cannot reach the engine"
            message={status.message ?? `No answer from ${status.host}.`}
            action={
              <Button icon="restart" onClick={() => void refreshAll()}>
                Retry
              </Button>
            }
          />
        )}
        <Page route={route} />
      </main>
      <Toasts />
      {palette && <CommandPalette onClose={() => setPalette(false)} onOpenDialog={openDialog} />}
      {dialog?.kind === 'run' && (
        <RunContainerDialog {...(dialog.image !== undefined ? { image: dialog.image } : {})} onClose={closeDialog} />
      )}
      {dialog?.kind === 'pull' && <PullImageDialog onClose={closeDialog} />}
      {dialog?.kind === 'create-volume' && <CreateVolumeDialog onClose={closeDialog} />}
      {dialog?.kind === 'create-network' && <CreateNetworkDialog onClose={closeDialog} />}
      {dialog?.kind === 'prune-images' && <PruneImagesDialog onClose={closeDialog} />}
    </div>
  );
}
