/**
 * The baseline for api-read: a bare Fastify server (no plugins, no hooks, no logger, no database)
 * that answers BARE_PATH with the JSON body captured from the real app. Started as a child process:
 *   BARE_BODY='{"…"}' BARE_PATH=/api/v1/… PORT=… node --import tsx bench/bare-server.ts
 */
import Fastify from 'fastify';

const body: unknown = JSON.parse(process.env.BARE_BODY ?? '{}');
const route = process.env.BARE_PATH ?? '/';
const app = Fastify({ logger: false });
app.get(route, async () => body);
app.get('/', async () => ({ status: 'ok' }));

await app.listen({ port: Number(process.env.PORT ?? 0), host: process.env.HOST ?? '127.0.0.1' });
process.stdout.write(`bare server listening on ${route}\n`);
const stop = async () => {
  await app.close();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
