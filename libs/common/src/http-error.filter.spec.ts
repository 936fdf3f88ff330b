import { HttpErrorFilter } from './http-error.filter';

const filter = new HttpErrorFilter();

describe('HttpErrorFilter', () => {
  it.each([
    ['the pool had no connection in time', new Error('timeout exceeded when trying to connect')],
    ['a query outlived query_timeout', new Error('Query read timeout')],
    [
      'the server terminated the session',
      Object.assign(new Error('terminating connection'), { code: '57P01' }),
    ],
    [
      "TypeORM's runner lost its session",
      new Error(
        'Database connection provided by a query runner was already released, cannot continue to use its querying methods anymore.',
      ),
    ],
    ['a connection ended', new Error('Connection terminated unexpectedly')],
  ])('answers 503 when %s', (_, err) => {
    expect(filter.toBody(err)).toEqual({
      statusCode: 503,
      error: 'Service Unavailable',
      message: 'The database is unavailable; retry shortly',
    });
  });

  it('answers 500 for a bug', () => {
    expect(
      filter.toBody(new TypeError("Cannot read properties of undefined (reading 'id')")).statusCode,
    ).toBe(500);
  });
});
