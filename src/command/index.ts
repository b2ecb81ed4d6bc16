export {
  type Lexed,
  type LexOptions,
  lex,
  type Token,
  type WordPart,
  type WordToken,
  wordText,
} from './lex.js';
export {
  type AnalysedCommand,
  analyseCommands,
  type CommandModel,
  describeCommand,
  detectAgent,
  SIMULATED_AGENT,
} from './model.js';
export { quoteArgv, quoteWord, singleQuote } from './quote.js';
export { splitShellLine } from './shell-line.js';
export { type SimpleCommand, simpleCommands, toolName } from './unwrap.js';
