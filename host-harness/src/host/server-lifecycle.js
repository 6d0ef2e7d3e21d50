// Starting and stopping the host's HTTP servers: listening on loopback with a start-up error a
// person can act on, and stopping with a grace period for requests in flight.

const LOOPBACK = '127.0.0.1';

/** A start-up failure a person can fix (port in use, ...), reported without a stack trace. */
class StartError extends Error {
  constructor(message) {
    super(message);
    this.name = 'StartError';
  }
}

function listen(server, port, what, envName) {
  return new Promise((resolve, reject) => {
    const onError = (err) => {
      reject(
        err.code === 'EADDRINUSE'
          ? new StartError(
              `${what} cannot listen on port ${port}: it is in use. Set ${envName} to a free port.`,
            )
          : err,
      );
    };
    server.once('error', onError);
    server.listen(port, LOOPBACK, () => {
      server.off('error', onError);
      resolve(server.address().port);
    });
  });
}

/** Stops accepting, lets requests in flight finish for a while, then cuts what is left. */
function closeServer(server, graceMs) {
  if (!server?.listening) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => server.closeAllConnections(), graceMs);
    force.unref();
    server.close(() => {
      clearTimeout(force);
      resolve();
    });
    server.closeIdleConnections();
  });
}

module.exports = { StartError, listen, closeServer, LOOPBACK };
