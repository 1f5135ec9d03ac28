import { describe, expect, it } from 'vitest';
import { checkBuildFileEdit } from './build-file-edits.js';

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
    [
      'ios/Podfile',
      "pod 'Charts', '~> 3.2'",
      "pod 'Charts', :git => 'https://github.com/someone/Charts.git', :branch => 'master'",
      'tier:git-dependency',
    ],
    [
      'package.json',
      '"left-pad": "^1.3.0"',
      '"left-pad": "github:someone/left-pad"',
      'tier:git-dependency',
    ],
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
    [
      'Podfile',
      "pod 'Charts'",
      "pod 'Charts', :git => 'https://github.com/acme/Charts.git'",
      'Use the acme fork.',
    ],
    ['src/app.ts', '', 'const url = "http://203.0.113.9/";', FIX],
  ])('allows an edit of %s', (file, removed, added, messages) => {
    expect(checkBuildFileEdit(`/p/${file}`, removed, added, messages)).toBeUndefined();
  });
});
