import { defineRule } from '../../../core/rule.js';
import { containerLabel } from '../_lib.js';
import { hasValidDigest, isUnresolvedImage, parseImage } from '../_image.js';
import { POD_SPEC_KINDS } from '../_pss.js';

// An image with no tag means :latest; either way the running code can change on any pull.
export default defineRule({
  meta: {
    id: 'image-tag-latest',
    title: 'Image uses the latest tag or no tag',
    pillar: 'workload',
    severity: 'medium',
    description:
      'An image referenced without a tag, or with `:latest`, resolves to whatever was pushed last: nodes may run different code, a rollback cannot restore the previous version, and a compromised registry account changes production on the next pull.',
    remediation:
      'Reference an immutable version tag (e.g. `app:1.4.2`), or better a digest (`app@sha256:...`), and let your deployment tooling bump it.',
    references: [
      'https://kubernetes.io/docs/concepts/containers/images/#image-names',
      'https://kubernetes.io/docs/concepts/configuration/overview/#container-images',
      'https://attack.mitre.org/techniques/T1525/',
    ],
    compliance: { mitre: ['T1525', 'T1195.002'] },
    messages: {
      noTag: '{container} image "{image}" has no tag, so it resolves to latest',
      latest: '{container} image "{image}" uses the mutable latest tag',
    },
    reads: POD_SPEC_KINDS,
  },
  handlers: {
    container(c, pod, ctx) {
      const image: unknown = c.spec.image;
      if (typeof image !== 'string' || isUnresolvedImage(image)) return;
      const ref = parseImage(image);
      if (hasValidDigest(ref)) return; // a digest pins the content whatever the tag says
      const messageId = ref.tag === undefined || ref.tag === '' ? 'noTag' : ref.tag === 'latest' ? 'latest' : undefined;
      if (!messageId) return;
      ctx.report({ object: pod.owner, messageId, data: { container: containerLabel(c), image }, path: [...c.path, 'image'] });
    },
  },
});
