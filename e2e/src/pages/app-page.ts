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

  async openRunDialog(): Promise<RunDialog> {
    await this.page.getByRole('button', { name: 'Run container' }).click();
    return new RunDialog(this.page);
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

  async tab(name: 'Logs' | 'Terminal' | 'Stats' | 'Processes' | 'Env' | 'Mounts' | 'Ports' | 'Inspect'): Promise<void> {
    await this.page.getByRole('tab', { name }).click();
  }

  get terminal(): Locator {
    return this.page.getByTestId('terminal');
  }

  get terminalStatus(): Locator {
    return this.page.getByTestId('terminal-status');
  }

  /** Types into the terminal as a user would (focus, keys, Enter). */
  async typeInTerminal(text: string): Promise<void> {
    await this.terminal.click();
    await this.page.keyboard.type(text);
    await this.page.keyboard.press('Enter');
  }

  /** Waits until `count` terminal rows contain `text` (the shell echoed what was typed, for instance). */
  async waitForTerminalText(text: string, count = 1): Promise<void> {
    await this.page.waitForFunction(
      ([wanted, times]) =>
        Array.from(document.querySelectorAll('[data-testid="terminal"] .xterm-rows > div')).filter((row) =>
          (row.textContent ?? '').includes(wanted),
        ).length >= times,
      [text, count] as const,
    );
  }

  /** Waits for a terminal row whose text (trimmed) is exactly `text`: what xterm rendered from its buffer. */
  async waitForTerminalLine(text: string): Promise<void> {
    await this.page.waitForFunction(
      (wanted) =>
        Array.from(document.querySelectorAll('[data-testid="terminal"] .xterm-rows > div')).some(
          (row) => (row.textContent ?? '').trim() === wanted,
        ),
      text,
    );
  }

  async searchLogs(text: string, options: { regex?: boolean; filter?: boolean } = {}): Promise<void> {
    await this.page.getByRole('searchbox', { name: 'Search log lines' }).fill(text);
    if (options.regex === true) await this.page.getByRole('button', { name: '.*' }).click();
    if (options.filter === true) await this.page.getByRole('button', { name: 'Filter', exact: true }).click();
  }

  get logMatches(): Locator {
    return this.page.getByTestId('log-matches');
  }

  get inspectJson(): Locator {
    return this.page.getByTestId('inspect-json');
  }
}

/** Ctrl+K. */
export class CommandPalette {
  constructor(readonly page: Page) {}

  get dialog(): Locator {
    return this.page.getByRole('dialog', { name: 'Command palette' });
  }

  async run(query: string, title: string | RegExp): Promise<void> {
    await this.page.keyboard.press('Control+k');
    await this.dialog.getByRole('combobox').fill(query);
    await this.dialog.getByRole('option', { name: title }).first().waitFor();
    await this.dialog.getByRole('option', { name: title }).first().click();
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

  /** Closes the pull dialog, once finished, with its Done button. */
  async closePullDialog(): Promise<void> {
    await this.dialog.getByRole('button', { name: 'Done', exact: true }).click();
    await this.dialog.waitFor({ state: 'detached' });
  }

  row(reference: string): Locator {
    const [repository = reference] = reference.split(/:(?=[^/:]+$)/);
    return this.rows.filter({ hasText: repository });
  }

  async run(reference: string): Promise<RunDialog> {
    await this.page.getByRole('button', { name: `Run ${reference}`, exact: true }).click();
    return new RunDialog(this.page);
  }
}

/** The run dialog (`docker run -d` as a form). */
export class RunDialog {
  constructor(readonly page: Page) {}

  get dialog(): Locator {
    return this.page.getByRole('dialog', { name: 'Run a container' });
  }

  async fill(fields: {
    image?: string;
    name?: string;
    command?: string;
    env?: string[];
    ports?: string;
    restartPolicy?: 'Never' | 'On failure' | 'Unless stopped' | 'Always';
  }): Promise<void> {
    if (fields.image !== undefined) await this.dialog.getByLabel('Image').fill(fields.image);
    if (fields.name !== undefined) await this.dialog.getByLabel('Name').fill(fields.name);
    if (fields.command !== undefined) await this.dialog.getByLabel('Command').fill(fields.command);
    if (fields.env !== undefined) await this.dialog.getByLabel('Environment').fill(fields.env.join('\n'));
    if (fields.ports !== undefined) await this.dialog.getByLabel('Ports').fill(fields.ports);
    if (fields.restartPolicy !== undefined) {
      await this.dialog.getByLabel('Restart policy').selectOption({ label: fields.restartPolicy });
    }
  }

  async submit(): Promise<void> {
    await this.dialog.getByRole('button', { name: 'Run', exact: true }).click();
  }

  get error(): Locator {
    return this.dialog.getByRole('alert');
  }
}
