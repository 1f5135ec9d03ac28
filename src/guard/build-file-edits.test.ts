import { describe, expect, it } from 'vitest';
import { checkBuildFileEdit } from './build-file-edits.js';
import { createGuard } from './guard.js';

const FIX = 'Fix the build.';

describe('checkBuildFileEdit', () => {
  it.each([
    [
      'settings.gradle.kts',
      'mavenCentral()',
      'mavenCentral()\nmaven { url = uri("http://203.0.113.9:8081/repo/"); isAllowInsecureProtocol = true }',
      'tier:insecure-repository',
    ],
    [
      'pom.xml',
      '',
      '<repository><id>corp</id><url>http://repo.corp.example/maven2/</url></repository>',
      'tier:insecure-repository',
    ],
    [
      'requirements.txt',
      '',
      '--extra-index-url http://pypi.corp.example/simple',
      'tier:insecure-repository',
    ],
    [
      'app/build.gradle.kts',
      'implementation("com.squareup.okhttp3:okhttp:4.12.0")',
      'implementation("com.squareup.okhttp3:okhtttp:4.12.0")',
      'tier:look-alike-dependency',
    ],
    [
      'Podfile',
      "pod 'Alamofire', '~> 5.8'",
      "pod 'Alamofrie', '~> 5.8'",
      'tier:look-alike-dependency',
    ],
    ['requirements.txt', 'requests==2.31.0', 'reqeusts==2.31.0', 'tier:look-alike-dependency'],
  ])('flags an edit of %s', (file, removed, added, rule) => {
    expect(checkBuildFileEdit(`/p/${file}`, removed, added, FIX)?.rule).toBe(rule);
  });

  it.each([
    [
      'settings.gradle.kts',
      'mavenCentral()',
      'mavenCentral()\nmaven { url = uri("https://repo.corp.example/") }',
      FIX,
    ],
    ['settings.gradle.kts', '', 'maven { url = uri("http://localhost:8081/repo/") }', FIX],
    [
      'settings.gradle.kts',
      '',
      'maven { url = uri("http://nexus.lan:8081/repo/") }',
      'Use nexus.lan over http.',
    ],
    ['pom.xml', '', '<project xmlns="http://maven.apache.org/POM/4.0.0">', FIX],
    ['pom.xml', '', '<url>http://www.example.com/shop</url>', FIX],
    ['requirements.txt', 'requests==2.31.0', 'requests==2.32.0', FIX],
    [
      'build.gradle',
      '"org.jetbrains.kotlin:kotlin-stdlib-jdk7:1.9.0"',
      '"org.jetbrains.kotlin:kotlin-stdlib-jdk8:1.9.0"',
      FIX,
    ],
    ['src/app.ts', '', 'const url = "http://203.0.113.9/";', FIX],
  ])('allows an edit of %s', (file, removed, added, messages) => {
    expect(checkBuildFileEdit(`/p/${file}`, removed, added, messages)).toBeUndefined();
  });
});

describe('Podfile git sources', () => {
  const fork = "pod 'Charts', :git => 'https://github.com/someone/Charts.git', :branch => 'master'";

  async function decideEdit(messages: string): Promise<{ verdict: string; rule?: string }> {
    return createGuard().decide(
      {
        tool: 'Edit',
        input: {
          file_path: '/p/ios/Podfile',
          old_string: "pod 'Charts', '~> 3.2'",
          new_string: fork,
        },
      },
      { cwd: '/p', projectDir: '/p', homeDir: '/home/dev', userMessages: [messages] },
    );
  }

  it('asks for an unnamed fork', async () => {
    expect((await decideEdit('Charts crashes, find a fix.')).rule).toBe('tier:dependency-url');
  });

  it('allows the fork the user named', async () => {
    expect((await decideEdit('Use the fork someone/Charts.')).verdict).toBe('allow');
  });
});
