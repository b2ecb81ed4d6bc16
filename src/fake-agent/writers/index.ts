import type { AgentFormat, OutputMode } from '../options.js';
import { createClaudeWriter } from './claude.js';
import { createCodexWriter } from './codex.js';
import { createGeminiWriter } from './gemini.js';
import type { FormatWriter, WriterContext } from './types.js';

export type { FormatWriter, Output, ResultEnding, StreamEvent, WriterContext } from './types.js';

export function createWriter(format: AgentFormat, mode: OutputMode, ctx: WriterContext): FormatWriter {
  switch (format) {
    case 'claude':
      return createClaudeWriter(mode, ctx);
    case 'codex':
      return createCodexWriter(mode, ctx);
    case 'gemini':
      return createGeminiWriter(mode, ctx);
  }
}
