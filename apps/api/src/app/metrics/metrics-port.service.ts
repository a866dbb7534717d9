import { once } from 'node:events';
import { type Server, createServer } from 'node:http';

import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';

import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { Metrics } from '../../infra/metrics/metrics';

/**
 * With METRICS_PORT, the metrics are also served at `/metrics` on a port of their own without
 * a token: for a scraper on a private network, the port kept off the public listener.
 */
@Injectable()
export class MetricsPortService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Metrics');
  private server: Server | undefined;

  constructor(
    private readonly metrics: Metrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap() {
    const port = this.config.metricsPort;
    if (!port) return;
    const server = createServer((req, res) => {
      const path = (req.url ?? '').split('?')[0];
      if (req.method !== 'GET' || (path !== '/metrics' && path !== '/api/metrics')) {
        res.writeHead(404, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ statusCode: 404, message: 'Only GET /metrics is served here' }));
        return;
      }
      this.metrics.render().then(
        (text) => {
          res.writeHead(200, { 'Content-Type': this.metrics.contentType, 'Cache-Control': 'no-store' });
          res.end(text);
        },
        (err: unknown) => {
          this.logger.error(`metrics: ${(err as Error).message}`);
          res.writeHead(500, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify({ statusCode: 500, message: 'Internal server error' }));
        },
      );
    });
    server.listen(port, this.config.host);
    await once(server, 'listening');
    this.server = server;
    this.logger.log(`metrics on http://${this.config.host}:${port}/metrics`);
  }

  async onApplicationShutdown() {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}
