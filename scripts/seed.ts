/**
 * Loads the five SYNTHETIC patients into a running service through its public API,
 * so they pass every rule on the way in like any clinical system's events.
 *   npm run seed                      (service on localhost:3000, keys from data/api-keys.json)
 *   SEED_URL=http://host:3000 SEED_KEY=<emitter key> npm run seed
 * Loading twice stores nothing twice: the events have fixed ids.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SYNTHETIC_PATIENTS } from './synthetic-patients';

async function main(): Promise<void> {
  const url = (process.env.SEED_URL ?? `http://127.0.0.1:${process.env.PORT ?? 3000}`).replace(/\/$/, '');
  const keyFile = join(process.env.DATA_DIR ?? './data', 'api-keys.json');
  const key = process.env.SEED_KEY ?? (existsSync(keyFile) ? (JSON.parse(readFileSync(keyFile, 'utf8')) as { emitter: string }).emitter : null);
  if (!key) throw new Error(`no key: set SEED_KEY, or start the service once so that ${keyFile} exists`);
  for (const patient of SYNTHETIC_PATIENTS) {
    // One event per request, in the order a site would have sent them.
    for (const event of patient.events) {
      const response = await fetch(`${url}/v1/patients/${patient.subjectId}/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify(event),
      }).catch((error: unknown) => {
        throw new Error(`cannot reach ${url}: is the service running (npm start)? ${String(error)}`);
      });
      if (response.status !== 201 && response.status !== 200) {
        throw new Error(`${patient.subjectId} ${event.type}: ${response.status} ${await response.text()}`);
      }
    }
    console.log(`${patient.subjectId}: ${patient.events.length} events - ${patient.story}`);
  }
  console.log(`Loaded ${SYNTHETIC_PATIENTS.length} synthetic patients into ${url}.`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
