#!/usr/bin/env node
import { runFakeAgentCli } from '../dist/fake-agent/cli.js';

runFakeAgentCli(process.argv.slice(2));
