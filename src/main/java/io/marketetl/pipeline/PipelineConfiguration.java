package io.marketetl.pipeline;

import javax.sql.DataSource;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;

/**
 * Binds the pipeline's beans (see {@link PipelineBeans}) for routes/pipeline.camel.yaml. Runs after
 * {@link io.marketetl.MarketEtlConfiguration}, which binds the {@code dataSource}.
 */
public class PipelineConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext camelContext) {
        DataSource dataSource = camelContext.getRegistry().lookupByNameAndType("dataSource", DataSource.class);
        if (dataSource == null) {
            throw new IllegalStateException("no dataSource bound: MarketEtlConfiguration must run first");
        }
        PipelineBeans.bind(camelContext, dataSource, PipelineSettings.fromContext(camelContext));
    }
}
