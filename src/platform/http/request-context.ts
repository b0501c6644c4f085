import type { FastifyRequest } from 'fastify';
import type { Actor, ServiceContext } from '../context.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is making the request; set by the authentication hook before any handler runs. */
    actor: Actor;
    /** The active interface language (ca, es, en). */
    locale: 'ca' | 'es' | 'en';
  }
}

export type AppServices = {
  ctx(request: FastifyRequest): ServiceContext;
};
