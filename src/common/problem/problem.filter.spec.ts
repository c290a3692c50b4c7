import { StoredDataCorruptError, StoreFullError, StoreUnavailableError } from '../../event-store/event-store.errors';
import { ReadModelCorruptError } from '../../projections/read-model.errors';
import { toProblem } from './problem.filter';

describe('toProblem', () => {
  const tagged = (error: Error, fields: Record<string, unknown>) => Object.assign(error, fields);

  it.each<[string, unknown, number, string]>([
    ['a SyntaxError of stored data (JSON.parse of a column)', new SyntaxError('Unexpected token S in JSON at position 9'), 500, 'INTERNAL'],
    ['a body Fastify could not parse', tagged(new SyntaxError('Unexpected end of JSON input'), { statusCode: 400 }), 400, 'MALFORMED_BODY'],
    ['Fastify invalid JSON body', tagged(new Error('Body is not valid JSON'), { code: 'FST_ERR_CTP_INVALID_JSON_BODY', statusCode: 400 }), 400, 'MALFORMED_BODY'],
    ['a damaged stored event', new StoredDataCorruptError('patient-SYN-001', 7, 'data'), 500, 'STORED_DATA_CORRUPT'],
    ['a damaged read-model value', new ReadModelCorruptError('SYN-001', 'patient_facts.facts'), 500, 'STORED_DATA_CORRUPT'],
    ['a full disk', new StoreFullError('append failed: database or disk is full'), 503, 'STORAGE_FULL'],
    ['an unreachable store', new StoreUnavailableError('gone'), 503, 'STORE_UNAVAILABLE'],
  ])('given %s, answers its status and code', (_name, error, status, code) => {
    const { body } = toProblem(error, '/v1/patients');

    expect({ status: body.status, code: body.code }).toEqual({ status, code });
  });

  it('given stored data that does not parse, echoes none of it and names no stream', () => {
    for (const error of [new SyntaxError('Unexpected token S in "SYNTHETIC-SECRET" is not valid JSON'), new StoredDataCorruptError('patient-SYN-001', 7, 'data')]) {
      const { body } = toProblem(error);
      expect(body.detail).not.toMatch(/SYNTHETIC-SECRET|SYN-001|position/);
    }
  });
});
