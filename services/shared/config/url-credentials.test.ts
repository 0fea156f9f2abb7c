import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  maskUrlPassword,
  maskUrlPasswordsInText,
  urlCredentials,
  urlSecretForms,
} from './url-credentials.ts';

test('the userinfo of a URL is found as written', () => {
  assert.deepEqual(urlCredentials('https://user:s3cr%40t@ch.example.com:8443/db?x=1'), {
    username: 'user',
    password: 's3cr%40t',
  });
  // An unencoded '@' in the password: the last '@' of the authority ends the userinfo (as WHATWG URL).
  assert.deepEqual(urlCredentials('http://u:p@ss@host/path@x'), { username: 'u', password: 'p@ss' });
  // Not a valid URL (bad port), still recognised: such a value is shown in configuration errors.
  assert.deepEqual(urlCredentials('http://u:pw@host:notaport'), { username: 'u', password: 'pw' });
});

test('URLs without a password have no credentials', () => {
  for (const value of [
    'http://127.0.0.1:18123',
    'http://user@host',
    'http://user:@host',
    'https://host/path?email=a@b.c',
    'chdb:/tmp/data',
    '127.0.0.1:19092',
  ])
    assert.equal(urlCredentials(value), null, value);
});

test('the password is registered in every form a client can send it', () => {
  const forms = urlSecretForms('https://reader:p%40ss-word@ch.example.com');
  assert.deepEqual(
    forms.sort(),
    ['p%40ss-word', 'p@ss-word', Buffer.from('reader:p@ss-word').toString('base64')].sort(),
  );
  assert.deepEqual(urlSecretForms('http://127.0.0.1:18123'), []);
});

test('only the password is masked; the user and the host stay readable', () => {
  assert.equal(
    maskUrlPassword('https://reader:p%40ss@ch.example.com:8443/db'),
    'https://reader:***@ch.example.com:8443/db',
  );
  assert.equal(maskUrlPassword('http://127.0.0.1:18123'), 'http://127.0.0.1:18123');
  assert.equal(
    maskUrlPasswordsInText('{"msg":"connect to https://u:hunter2@host:1 failed","other":"http://h/a:b@c"}'),
    '{"msg":"connect to https://u:***@host:1 failed","other":"http://h/a:b@c"}',
  );
});
