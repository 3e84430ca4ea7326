import type { Locator, Page } from 'playwright-core';

/** Page objects (Podman Desktop style): specs speak in user terms, selectors live here. */
export class AppShell {
  constructor(readonly page: Page) {}

  get engineStatus(): Locator {
    return this.page.getByTestId('engine-status');
  }

  async goTo(section: 'Dashboard' | 'Containers' | 'Images' | 'Volumes' | 'Networks'): Promise<void> {
    await this.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: section }).click();
  }

  async waitForEngine(): Promise<void> {
    await this.engineStatus.filter({ hasText: 'Engine running' }).waitFor();
  }

  toast(text: string | RegExp): Locator {
    return this.page.locator('.toast').filter({ hasText: text });
  }
}

export class ContainersPage {
  constructor(readonly page: Page) {}

  get rows(): Locator {
    return this.page.getByTestId('container-row');
  }

  row(name: string): Locator {
    return this.page.locator(`[data-testid="container-row"][data-name="${name}"]`);
  }

  async search(text: string): Promise<void> {
    await this.page.getByRole('searchbox', { name: 'Search containers' }).fill(text);
  }

  async filter(state: 'All' | 'Running' | 'Stopped'): Promise<void> {
    await this.page.getByRole('tab', { name: state }).click();
  }

  state(name: string): Locator {
    return this.row(name).locator('.badge');
  }

  async act(name: string, action: 'Start' | 'Stop' | 'Restart' | 'Remove'): Promise<void> {
    await this.row(name)
      .getByRole('button', { name: `${action} ${name}`, exact: true })
      .click();
  }

  async confirm(label: RegExp | string): Promise<void> {
    await this.page.getByRole('dialog').getByRole('button', { name: label }).click();
  }

  async open(name: string): Promise<ContainerDetailsPage> {
    await this.row(name).getByRole('link', { name }).click();
    return new ContainerDetailsPage(this.page);
  }
}

export class ContainerDetailsPage {
  constructor(readonly page: Page) {}

  get logLines(): Locator {
    return this.page.locator('.log-line');
  }

  get stderrLines(): Locator {
    return this.page.locator('.log-line[data-stream="stderr"]');
  }

  async tab(name: 'Logs' | 'Inspect' | 'Stats'): Promise<void> {
    await this.page.getByRole('tab', { name }).click();
  }

  get inspectJson(): Locator {
    return this.page.getByTestId('inspect-json');
  }
}

export class ImagesPage {
  constructor(readonly page: Page) {}

  get rows(): Locator {
    return this.page.getByTestId('image-row');
  }

  async pull(reference: string): Promise<void> {
    await this.page.getByRole('button', { name: 'Pull image' }).click();
    await this.page.getByRole('dialog').getByLabel('Image reference').fill(reference);
    await this.page.getByRole('dialog').getByRole('button', { name: 'Pull', exact: true }).click();
  }

  get layers(): Locator {
    return this.page.getByTestId('pull-layer');
  }

  get pullStatus(): Locator {
    return this.page.getByTestId('pull-status');
  }

  get dialog(): Locator {
    return this.page.getByRole('dialog');
  }
}
