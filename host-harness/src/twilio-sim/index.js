'use strict';
// The simulator's public surface: the factory and the fixtures other tests build on.

const accounts = require('./accounts');
const { DEFAULT_DELIVERY_OUTCOMES } = require('./delivery');
const { createSimulator } = require('./server');

module.exports = {
  createSimulator,
  DEFAULT_DELIVERY_OUTCOMES,
  FULL_ACCOUNT: accounts.FULL_ACCOUNT,
  TRIAL_ACCOUNT: accounts.TRIAL_ACCOUNT,
  TEST_CREDENTIALS_ACCOUNT: accounts.TEST_CREDENTIALS_ACCOUNT,
  SUSPENDED_ACCOUNT: accounts.SUSPENDED_ACCOUNT,
  API_KEY: accounts.API_KEY,
  MESSAGING_SERVICE: accounts.MESSAGING_SERVICE,
  SMS_NUMBER: accounts.SMS_NUMBER,
  VOICE_ONLY_NUMBER: accounts.VOICE_ONLY_NUMBER,
  VERIFIED_NUMBER: accounts.VERIFIED_NUMBER,
};
