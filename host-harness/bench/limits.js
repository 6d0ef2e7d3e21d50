// The send policy's limits at the maximums the manifest allows, for the benchmarks: they measure
// time, so no limit may refuse their traffic (each counter is still counted, so every call
// takes its whole path). `knownSettings` drops what an older build (PLUGIN_PKG) does not know.

const LIMITS_OUT_OF_REACH = {
  maxSmsPerNumberPerHour: 100,
  maxSmsPerNumberPerDay: 1000,
  maxCodesPerAddressPerHour: 100_000,
  maxCodesPerRangePerHour: 100_000,
  maxCodesPerHour: 1_000_000,
  maxCodesPerDay: 10_000_000,
  maxMessagesPerUserPerHour: 100_000,
  maxMessagesPerUserPerDay: 1_000_000,
  maxSegmentsPerUserPerHour: 1_000_000,
  maxSegmentsPerUserPerDay: 10_000_000,
  breakerMinCodes: 100_000,
};

/** `config` without the settings `TwilioPlugin`'s build does not know. */
function knownSettings(TwilioPlugin, config) {
  const known = { ...config };
  for (const { field, reason } of TwilioPlugin.validateConfig(known).problems) {
    if (/not a setting/.test(reason)) delete known[field];
  }
  return known;
}

module.exports = { LIMITS_OUT_OF_REACH, knownSettings };
