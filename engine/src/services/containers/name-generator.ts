import { randomInt } from 'node:crypto';

// Docker-style `adjective_surname` names, so unnamed containers are easy to refer to.
const adjectives = [
  'admiring', 'agile', 'amazing', 'blissful', 'bold', 'brave', 'busy', 'calm', 'charming', 'clever', 'cool',
  'dazzling', 'determined', 'eager', 'ecstatic', 'elegant', 'epic', 'fervent', 'focused', 'friendly', 'gallant',
  'gifted', 'happy', 'hopeful', 'jolly', 'keen', 'kind', 'laughing', 'loving', 'lucid', 'magical', 'modest',
  'nice', 'nifty', 'optimistic', 'peaceful', 'practical', 'quirky', 'relaxed', 'serene', 'sharp', 'stoic',
  'sweet', 'tender', 'trusting', 'upbeat', 'vibrant', 'vigilant', 'wizardly', 'youthful', 'zealous',
];
const surnames = [
  'archimedes', 'babbage', 'bardeen', 'bohr', 'curie', 'darwin', 'dijkstra', 'einstein', 'euler', 'faraday',
  'fermat', 'feynman', 'franklin', 'galileo', 'gauss', 'goldberg', 'hopper', 'hypatia', 'kepler', 'knuth',
  'lamarr', 'lovelace', 'maxwell', 'mayer', 'meitner', 'newton', 'noether', 'pascal', 'pasteur', 'planck',
  'ramanujan', 'ritchie', 'shannon', 'tesla', 'thompson', 'torvalds', 'turing', 'volhard', 'wilson', 'wozniak',
];

export function generateContainerName(isTaken: (name: string) => boolean): string {
  for (let attempt = 0; attempt < 10; attempt++) {
    const name = `${adjectives[randomInt(adjectives.length)]}_${surnames[randomInt(surnames.length)]}`;
    const candidate = attempt < 3 ? name : `${name}${randomInt(10)}`;
    if (!isTaken(candidate)) return candidate;
  }
  return `${adjectives[randomInt(adjectives.length)]}_${surnames[randomInt(surnames.length)]}${randomInt(1_000_000)}`;
}
