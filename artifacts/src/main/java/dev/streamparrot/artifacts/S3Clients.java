package dev.streamparrot.artifacts;

import java.time.Duration;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/** The S3 client a store talks through: retries with backoff, credentials from the SDK's default chain. */
final class S3Clients {
    private S3Clients() {}

    static S3Client of(S3Settings settings) {
        RetryStrategy retry = AwsRetryStrategy.standardRetryStrategy().toBuilder()
                .maxAttempts(settings.maxAttempts())
                .backoffStrategy(BackoffStrategy.exponentialDelay(settings.backoffBase(), Duration.ofSeconds(10)))
                .circuitBreakerEnabled(false) // an outage is waited out per request, not turned into fast failures
                .build();
        S3ClientBuilder builder = S3Client.builder()
                .region(Region.of(settings.region()))
                .credentialsProvider(DefaultCredentialsProvider.builder().build())
                .forcePathStyle(settings.pathStyle())
                // checksum headers and aws-chunked trailers only where S3 requires them: not every
                // S3-compatible server (S3Proxy, older MinIO/Ceph, GCS) accepts the SDK's newer defaults
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .httpClientBuilder(ApacheHttpClient.builder())
                .overrideConfiguration(o -> o.retryStrategy(retry));
        if (settings.endpoint() != null) builder.endpointOverride(settings.endpoint());
        return builder.build();
    }
}
