import fastifyStatic from '@fastify/static';
import { Controller, Get, Injectable, Module, OnModuleInit, Redirect } from '@nestjs/common';
import { ApiExcludeEndpoint } from '@nestjs/swagger';
import { Public } from '../common/auth/roles.guard';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { basename, join } from 'node:path';
import { AsRecordedReportsController, FiguresController } from './figures.controller';
import { FigureSources, FiguresService } from './figures.service';

/**
 * The built page beside this module: dist/ui/web after `npm run build`
 * (tools/build-ui.js bundles src/ui/web/main.ts and copies the HTML and CSS).
 */
export const PAGE_DIR = join(__dirname, 'web');
/** The only files served: the source folder also holds TypeScript, which is no business of a browser. */
export const PAGE_FILES = new Set(['index.html', 'app.css', 'app.js']);

/**
 * Everything the page needs comes from this service (no CDN, no fonts from outside), so it
 * works inside a hospital network; the policy tells the browser so too.
 */
const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Serves the page at /ui/ from the same process, with no key: the page asks for one and calls the API with it. */
@Injectable()
export class PageAssets implements OnModuleInit {
  constructor(private readonly host: HttpAdapterHost) {}
  onModuleInit(): void {
    const fastify = this.host.httpAdapter.getInstance<FastifyInstance>();
    void fastify.register(fastifyStatic, {
      root: PAGE_DIR,
      prefix: '/ui/',
      index: 'index.html',
      decorateReply: false,
      allowedPath: (path) => PAGE_FILES.has(basename(path)) || path === '/',
      setHeaders: (reply) => {
        void reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
        void reply.header('x-content-type-options', 'nosniff');
        void reply.header('cache-control', 'no-cache');
      },
    });
  }
}

/** `/ui` without its slash: the page's relative links need the folder's URL. */
@Controller()
export class PageRedirectController {
  @Get('ui')
  @Public()
  @Redirect('/ui/', 301)
  @ApiExcludeEndpoint()
  toPage(): void {}
}

/** The web page at /ui and the figure routes (SVG files and the swimmer plot's rows). */
@Module({ controllers: [FiguresController, AsRecordedReportsController, PageRedirectController], providers: [FigureSources, FiguresService, PageAssets] })
export class UiModule {}
