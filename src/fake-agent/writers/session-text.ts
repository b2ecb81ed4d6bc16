import { fillerText } from '../filler.js';
import type { StreamEvent } from './types.js';

type TextEvent = Extract<StreamEvent, { type: 'text' }>;

/** Remembers what the writers need for the closing line: the last answer, turns and output volume. */
export class SessionTally {
  finalText = '';
  turns = 0;
  textBytes = 0;
  toolCalls = 0;
  private lastTurn = 0;

  text(event: TextEvent): string {
    const text = fillerText(event.textSeed, event.bytes) + event.suffix;
    if (event.turn !== this.lastTurn) {
      this.turns++;
      this.lastTurn = event.turn;
      this.finalText = '';
    }
    this.finalText += text;
    this.textBytes += Buffer.byteLength(text);
    return text;
  }

  /** Token counts of the same order as a real session's, derived from what was printed. */
  usage(prompt: string): { input: number; cached: number; output: number } {
    const output = Math.ceil(this.textBytes / 4) + 40 * this.toolCalls;
    return { input: 12 + Math.ceil(prompt.length / 4) + 350 * this.turns, cached: 2000 * this.turns, output };
  }
}
