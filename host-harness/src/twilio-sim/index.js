'use strict';
// The simulator's public surface: the factory and the fixtures other tests build on.

const accounts = require('./accounts');
const { MAGIC_CALL_FROM, MAGIC_CALL_TO } = require('./call-validate');
const { DEFAULT_DELIVERY_OUTCOMES } = require('./delivery');
const { createSimulator } = require('./server');
const { VERIFY_MAGIC_TO } = require('./verify-request');

module.exports = {
  createSimulator,
  DEFAULT_DELIVERY_OUTCOMES,
  VERIFY_MAGIC_TO,
  MAGIC_CALL_FROM,
  MAGIC_CALL_TO,
  FULL_ACCOUNT: accounts.FULL_ACCOUNT,
  TRIAL_ACCOUNT: accounts.TRIAL_ACCOUNT,
  TEST_CREDENTIALS_ACCOUNT: accounts.TEST_CREDENTIALS_ACCOUNT,
  SUSPENDED_ACCOUNT: accounts.SUSPENDED_ACCOUNT,
  API_KEY: accounts.API_KEY,
  MESSAGING_SERVICE: accounts.MESSAGING_SERVICE,
  VERIFY_SERVICE: accounts.VERIFY_SERVICE,
  AUTH_TEMPLATE: accounts.AUTH_TEMPLATE,
  SMS_NUMBER: accounts.SMS_NUMBER,
  VOICE_ONLY_NUMBER: accounts.VOICE_ONLY_NUMBER,
  VERIFIED_NUMBER: accounts.VERIFIED_NUMBER,
};
