import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { PASSWORD } from './review-fixture.ts';

/** A signed-in API client: its session cookie and CSRF token. */
export interface Client {
  cookie: string;
  csrf: string;
}

/** Signs in through POST /v1/login (the fixtures' password unless given). */
export async function signIn(server: FastifyInstance, login: string, password = PASSWORD): Promise<Client> {
  const res = await server.inject({ method: 'POST', url: '/v1/login', payload: { login, password } });
  expect(res.statusCode, res.body).toBe(200);
  return { cookie: `benefit_session=${res.cookies.find((c) => c.name === 'benefit_session')!.value}`, csrf: res.json().csrf_token };
}
