import { runCommand } from './run-command.js';

/** The host firewall rules one bridge network needs; published ports go through userland proxies instead. */
function bridgeRules(bridge: string, subnet: string): { table: string; chain: string; rule: string[] }[] {
  return [
    // Outbound: containers leave through the host's address.
    { table: 'nat', chain: 'POSTROUTING', rule: ['-s', subnet, '!', '-o', bridge, '-j', 'MASQUERADE'] },
    // Forwarding: anything from the bridge; to it only replies (nothing is published by DNAT).
    { table: 'filter', chain: 'FORWARD', rule: ['-i', bridge, '-j', 'ACCEPT'] },
    {
      table: 'filter',
      chain: 'FORWARD',
      rule: ['-o', bridge, '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'ACCEPT'],
    },
  ];
}

/** Adds the bridge's NAT and forwarding rules unless present (FORWARD rules go first: a DROP policy must not hide them). */
export async function installBridgeFirewall(bridge: string, subnet: string): Promise<void> {
  for (const { table, chain, rule } of bridgeRules(bridge, subnet)) {
    const present = await runCommand('iptables', ['-w', '-t', table, '-C', chain, ...rule], { allowFailure: true });
    if (present.exitCode === 0) continue;
    const position = chain === 'FORWARD' ? ['-I', chain, '1'] : ['-A', chain];
    await runCommand('iptables', ['-w', '-t', table, ...position, ...rule]);
  }
}

/** Removes the bridge's rules; missing ones are fine. */
export async function removeBridgeFirewall(bridge: string, subnet: string): Promise<void> {
  for (const { table, chain, rule } of bridgeRules(bridge, subnet))
    await runCommand('iptables', ['-w', '-t', table, '-D', chain, ...rule], { allowFailure: true });
}
