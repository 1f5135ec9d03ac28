import { describe, expect, it } from 'vitest';
import { bashVerdict } from '../../test/helpers/guard.js';

describe('go get and go install sources', () => {
  it.each([
    ['go get go.uber.org/zap@v1.27.0', 'Add structured logging with zap.'],
    ['go get gorm.io/gorm@v1.25.10', 'Add gorm to the project.'],
    ['go install ./cmd/server', 'Build and install the server binary.'],
    [
      'go install gitlab.com/gitlab-org/cli/cmd/glab@latest',
      'Install glab with go install gitlab.com/gitlab-org/cli/cmd/glab.',
    ],
  ])('allows %s', async (command, request) => {
    expect(await bashVerdict(command, request)).toBe('allow');
  });

  it.each([
    ['go get go.uber-zap.dev/zap@v1.27.0', 'Add structured logging with zap.'],
    [
      'go install gitlab.com/go-lintr/golangcilint/cmd/golangci-lint@latest',
      'Install golangci-lint and fix the lint errors.',
    ],
    [
      'go install gitlab.com/gitlab-org/cli2/cmd/glab@latest',
      'Install glab with go install gitlab.com/gitlab-org/cli/cmd/glab.',
    ],
  ])('asks for %s', async (command, request) => {
    expect(await bashVerdict(command, request)).not.toBe('allow');
  });
});
